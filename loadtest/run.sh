#!/usr/bin/env bash
# Load test: gunicorn on 127.0.0.1 serving the archive in DATABASE_URL, and Locust sending a
# mix of searches, filters and meeting pages from 20 users for 60 seconds (at most 20,000
# requests), then stopping both. Prints throughput, latency percentiles, errors and the
# gunicorn workers' memory. Only ever targets 127.0.0.1. See loadtest/README.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

: "${DATABASE_URL:?set DATABASE_URL to the archive to load (see loadtest/README.md)}"
USERS=${USERS:-20}
SPAWN_RATE=${SPAWN_RATE:-5}
DURATION=${DURATION:-60s}
MAX_REQUESTS=${MAX_REQUESTS:-20000}
PORT=${PORT:-8765}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-4}
RESULTS=${RESULTS:-loadtest/results}
HOST=127.0.0.1

PY=.venv/bin/python
LOCUST_VENV=loadtest/.venv
if [ ! -x "$LOCUST_VENV/bin/locust" ]; then
    echo "Installing Locust into $LOCUST_VENV"
    python3 -m venv "$LOCUST_VENV"
    "$LOCUST_VENV/bin/pip" install --quiet --disable-pip-version-check -r loadtest/requirements.txt
fi

export DJANGO_SETTINGS_MODULE=ssp_archive.settings.production
export SECRET_KEY=${SECRET_KEY:-load-test-only-not-a-secret}
export ALLOWED_HOSTS=$HOST
export SECURE_SSL_REDIRECT=false
export CONN_MAX_AGE=${CONN_MAX_AGE:-60}
export LOG_LEVEL=${LOG_LEVEL:-WARNING}

"$PY" manage.py collectstatic --noinput -v 0
read -r MAX_MEETING MAX_ITEM < <("$PY" manage.py shell -v 0 -c \
    "from meetings.models import Meeting, AgendaItem as I; from django.db.models import Max
print(Meeting.objects.aggregate(m=Max('pk'))['m'] or 1, I.objects.aggregate(m=Max('pk'))['m'] or 1)")
echo "Archive: meetings up to id $MAX_MEETING, items up to id $MAX_ITEM"

mkdir -p "$RESULTS"
# Keep-alive longer than a user's longest wait (2 s): with gunicorn's default of 2 s a user's
# next request could arrive just as gunicorn closed the idle connection ("connection reset").
.venv/bin/gunicorn ssp_archive.wsgi:application --bind "$HOST:$PORT" --workers "$WORKERS" \
    --threads "$THREADS" --worker-class gthread --timeout 60 --keep-alive 5 --access-logfile - \
    >"$RESULTS/gunicorn.log" 2>&1 &
GUNICORN=$!
stop_gunicorn() { kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true; }
trap stop_gunicorn EXIT

for _ in $(seq 1 30); do
    if curl -fs -o /dev/null "http://$HOST:$PORT/"; then break; fi
    sleep 1
done
curl -fsS -o /dev/null "http://$HOST:$PORT/" || { cat "$RESULTS/gunicorn.log"; exit 1; }

LOADTEST_MAX_REQUESTS=$MAX_REQUESTS LOADTEST_MAX_MEETING=$MAX_MEETING LOADTEST_MAX_ITEM=$MAX_ITEM \
    "$LOCUST_VENV/bin/locust" -f loadtest/locustfile.py --headless --host "http://$HOST:$PORT" \
    -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" --stop-timeout 10 \
    --csv "$RESULTS/locust" --only-summary --loglevel WARNING || true

echo
echo "Gunicorn workers after the run (resident memory):"
for pid in $(pgrep -P "$GUNICORN"); do
    echo "  worker $pid: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status")"
done

"$PY" - "$RESULTS/locust_stats.csv" <<'PYTHON'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
print(f"\n{'request':<22} {'count':>7} {'errors':>6} {'req/s':>7} {'median':>7} {'p95':>7} {'p99':>7}")
for row in rows:
    print(
        f"{row['Name']:<22} {row['Request Count']:>7} {row['Failure Count']:>6}"
        f" {float(row['Requests/s']):7.1f} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
    )
print("(times in milliseconds)")
PYTHON

// Run at the top of <body>, before it is drawn: GOV.UK Frontend's styles for pages with
// JavaScript apply from the first paint. (A file, not inline: the Content-Security-Policy
// allows scripts from this site only.)
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

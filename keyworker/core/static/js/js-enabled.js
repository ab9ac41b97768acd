// GOV.UK Frontend's "js-enabled" switch, from a file so the Content-Security-Policy needs no inline script.
// Loaded as a classic (blocking) script at the start of <body>, exactly where GOV.UK's template puts it.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

/**
 * The residents' public pages (/r/…): no login. A placeholder until they are built: the
 * resident's report form and the tracking page of his case (an unguessable token in the path).
 */
const app = document.getElementById("app");
if (app) app.textContent = "居民反映页面即将开放。";

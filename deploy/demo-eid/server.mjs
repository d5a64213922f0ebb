// The demo country's national eID: a real OpenID provider (the certified `oidc-provider` package)
// for `make demo`, listening on 127.0.0.1 only. It checks nobody's identity: the person picks one
// of the demo identities. Never run it for a real deployment.
//
//   node server.mjs <config.json>
//
// `civitas demo serve` writes config.json (civitas/demo/eid.py): {"port", "keys": {"keys": [private
// signing JWKs]}, "clients": [...], "identities": [{"login", "claims": {...}}]}. The sign-in page
// speaks English, French or Arabic, as Civitas asks through `ui_locales`.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;
const identities = new Map(config.identities.map((identity) => [identity.login, identity.claims]));

const WORDS = {
  en: {
    dir: "ltr",
    title: "CivitasID (demo)",
    warning: "Demonstration only: this service checks nobody's identity.",
    legend: "Who are you?",
    hint: "Choose a demo person. Each is a person in the demo country's registry.",
    number: "National ID number",
    continue: "Continue",
    cancel: "Cancel and go back",
    choose: "Choose who you are",
    ended: "This sign-in has expired or was already used. Go back to the service and start again.",
  },
  fr: {
    dir: "ltr",
    title: "CivitasID (démonstration)",
    warning: "Démonstration uniquement : ce service ne vérifie l’identité de personne.",
    legend: "Qui êtes-vous ?",
    hint: "Choisissez une personne de démonstration. Chacune figure au registre du pays de démonstration.",
    number: "Numéro national d’identité",
    continue: "Continuer",
    cancel: "Annuler et revenir",
    choose: "Choisissez qui vous êtes",
    ended: "Cette connexion a expiré ou a déjà servi. Revenez au service et recommencez.",
  },
  ar: {
    dir: "rtl",
    title: "CivitasID (تجريبي)",
    warning: "للتجربة فقط: هذه الخدمة لا تتحقق من هوية أحد.",
    legend: "من أنت؟",
    hint: "اختر شخصًا تجريبيًا. كل واحد منهم مسجّل في سجل البلد التجريبي.",
    number: "الرقم الوطني",
    continue: "متابعة",
    cancel: "إلغاء والعودة",
    choose: "اختر من أنت",
    ended: "انتهت صلاحية تسجيل الدخول هذا أو استُخدم من قبل. عد إلى الخدمة وابدأ من جديد.",
  },
};

function language(uiLocales) {
  for (const tag of String(uiLocales || "").split(/\s+/)) {
    const code = tag.toLowerCase().split("-")[0];
    if (WORDS[code]) return code;
  }
  return "en";
}

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(lang, heading, body) {
  const w = WORDS[lang];
  return (
    `<!DOCTYPE html><html lang="${lang}" dir="${w.dir}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escape(heading)} – ${escape(w.title)}</title></head>` +
    `<body><header><p><strong>${escape(w.title)}</strong></p><p>${escape(w.warning)}</p></header>` +
    `<main><h1>${escape(heading)}</h1>${body}</main></body></html>`
  );
}

function signInForm(lang, uid, error) {
  const w = WORDS[lang];
  const choices = [...identities.entries()]
    .map(([login, claims], index) => {
      const name = claims.name || [claims.given_name, claims.family_name].join(" ");
      const id = `person-${index}`;
      return (
        `<p><input type="radio" id="${id}" name="login" value="${escape(login)}"` +
        `${index === 0 ? " required" : ""}> <label for="${id}">${escape(name)}` +
        (claims.national_id ? ` (${escape(w.number)}: <span lang="en">${escape(claims.national_id)}</span>)` : "") +
        `</label></p>`
      );
    })
    .join("");
  return page(
    lang,
    w.legend,
    (error ? `<p role="alert"><strong>${escape(w.choose)}</strong></p>` : "") +
      `<form method="post" action="/interaction/${uid}/login"><fieldset>` +
      `<legend>${escape(w.hint)}</legend>${choices}</fieldset>` +
      `<p><button type="submit">${escape(w.continue)}</button></p></form>` +
      `<form method="post" action="/interaction/${uid}/abort">` +
      `<p><button type="submit">${escape(w.cancel)}</button></p></form>`,
  );
}

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: config.keys,
  pkce: { required: () => true },
  clientAuthMethods: ["client_secret_basic", "private_key_jwt"],
  scopes: ["openid", "profile", "email", "national_id"],
  claims: {
    openid: ["sub"],
    profile: ["name", "given_name", "family_name", "birthdate"],
    email: ["email", "email_verified"],
    national_id: ["national_id"],
  },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: [config.cookie_key] },
  async findAccount(_ctx, id) {
    const claims = identities.get(id);
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  // Consent is taken as given for what Civitas asks, as a national eID does once the person agreed.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = "text/plain; charset=utf-8";
    ctx.body = `CivitasID (demo): ${out.error}: ${out.error_description || ""}`;
  },
});
provider.on("server_error", (_ctx, err) => console.error("server_error", err));

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 10_000) throw new Error("form too large");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function send(res, status, html) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(html);
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)(\/login|\/abort)?$/);
  if (!match) return callback(req, res);
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    return send(res, 400, page("en", WORDS.en.title, `<p>${escape(WORDS.en.ended)}</p>`));
  }
  const lang = language(details.params.ui_locales);
  try {
    if (req.method === "GET") return send(res, 200, signInForm(lang, details.uid, false));
    if (match[2] === "/abort") {
      return await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "the person cancelled" },
        { mergeWithLastSubmission: false },
      );
    }
    const login = (await readForm(req)).get("login") || "";
    if (!identities.has(login)) return send(res, 200, signInForm(lang, details.uid, true));
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: login } },
      { mergeWithLastSubmission: false },
    );
  } catch (err) {
    console.error("interaction error", err.message);
    send(res, 400, page(lang, WORDS[lang].title, `<p>${escape(WORDS[lang].ended)}</p>`));
  }
});
server.listen(config.port, "127.0.0.1", () => console.log(`CivitasID (demo) listening on ${issuer}`));
const stop = () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref(); // open keep-alive connections do not hold it
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

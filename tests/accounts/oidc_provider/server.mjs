// A real OpenID provider for the Civitas tests, built on the certified `oidc-provider` package.
//
//   node server.mjs <config.json>
//
// The test writes config.json: {"port", "keys": {"keys": [private signing JWKs]}, "clients": [...],
// "accounts": {"<login>": {claims}}}. The provider listens on 127.0.0.1:<port>, requires PKCE (S256)
// from every client, and shows its own sign-in form at /interaction/<uid> where the test (or the
// browser) types the login of one of the configured accounts. Consent is granted automatically for
// what the client asked, as a national eID would after the person agreed.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts;

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
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
  },
  cookies: { keys: ["civitas-test-provider-cookie-key"] },
  async findAccount(_ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
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
    ctx.body = `provider error: ${out.error}: ${out.error_description || ""}`;
  },
});
provider.on("server_error", (_ctx, err) => console.error("server_error", err));
provider.on("grant.error", (_ctx, err) => console.error("grant.error", err.message));

const page = (body) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test eID</title></head>` +
  `<body><main><h1>Test national eID</h1>${body}</main></body></html>`;

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

const callback = provider.callback();
createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(
        page(
          `<form method="post" action="/interaction/${details.uid}/login">` +
            `<label for="login">Your eID number</label><input id="login" name="login">` +
            `<button type="submit">Sign in</button></form>`,
        ),
      );
    }
    const form = await readForm(req);
    const login = form.get("login") || "";
    if (!accounts[login]) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(page(`<p>Unknown eID number.</p>`));
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: login } },
      { mergeWithLastSubmission: false },
    );
  } catch (err) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    res.end(`interaction error: ${err.message}`);
  }
}).listen(config.port, "127.0.0.1", () => {
  console.log(`listening ${issuer}`);
});

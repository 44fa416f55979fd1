// A ProConnect-like OpenID provider for the browser tests, on loopback only. It runs
// oidc-provider in a child process: id_token and userinfo signed with the algorithm asked
// (userinfo as `application/jwt`), a sign-in form where the typed address is the person, no
// consent page, and sign-out confirmed at once. Like ProConnect, its authorisation endpoint
// refuses parameters it does not know and a `state` or `nonce` shorter than 32 characters, and
// the client must authenticate with `client_secret_post`. No page loads anything from elsewhere.
//
// Modes, to make a flow fail on purpose:
// - "wrong-iss": the tokens (and the `iss` of the authorisation response) name another issuer,
//   while the discovery document names the right one;
// - "wrong-iss-token": the same, but the authorisation response carries no `iss` and the
//   discovery document does not announce one, so only the id_token tells;
// - "json-userinfo": userinfo answers plain JSON.
import { spawn } from "node:child_process";
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const ALGS = ["RS256", "ES256"];
const MODES = ["", "wrong-iss", "wrong-iss-token", "json-userinfo"];
/** The only authorisation parameters ProConnect accepts. */
const AUTHORIZATION_PARAMETERS = new Set([
  "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "claims", "prompt", "idp_hint",
]);
// Bounded, with room for a loaded machine: starting takes well under a second when idle.
const START_TIMEOUT_MS = 30_000;

/**
 * Starts the provider on a free loopback port with one client registered for these URIs;
 * resolves once it listens (within 30 s) to its issuer, the client's id and secret, and `stop()`.
 */
export async function startProvider({ redirectUri, postLogoutRedirectUri, alg = "RS256", mode = "" } = {}) {
  if (!redirectUri || !postLogoutRedirectUri) throw new TypeError("redirectUri and postLogoutRedirectUri are required");
  if (!ALGS.includes(alg)) throw new TypeError(`alg must be one of ${ALGS.join(", ")}`);
  if (!MODES.includes(mode ?? "")) throw new TypeError(`unknown mode ${mode}`);
  const settings = {
    redirectUri,
    postLogoutRedirectUri,
    alg,
    mode: mode ?? "",
    clientId: "avis-tests",
    clientSecret: randomBytes(24).toString("base64url"),
  };
  const child = spawn(process.execPath, [self], {
    env: { ...process.env, AVIS_TEST_PROVIDER: JSON.stringify(settings) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (chunk) => {
    log = (log + chunk).slice(-8000);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the OpenID provider did not start within ${START_TIMEOUT_MS / 1000} s\n${log}`));
    }, START_TIMEOUT_MS);
    let printed = "";
    child.stdout.on("data", (chunk) => {
      printed += chunk;
      const found = printed.match(/^issuer (\S+)\r?\n/m);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the OpenID provider exited with ${code}\n${log}`));
    });
  });
  return {
    issuer,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    /** What the provider wrote on its standard error: one line per request, and its errors. */
    log: () => log,
    /** Stops the provider; resolves once it has exited (or after 5 s). */
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    },
  };
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

/** First and last names made of an address's local part: `marie.curie@…` is Marie Curie. */
function names(email) {
  const words = email.split("@")[0].split(/[._-]+/).filter(Boolean);
  const title = (word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
  return { given_name: title(words[0] || "Agent"), usual_name: words.slice(1).map(title).join(" ") || "Test" };
}

function signingKey(type, options, alg) {
  const key = generateKeyPairSync(type, options).privateKey.export({ format: "jwk" });
  return { ...key, kid: randomUUID(), alg, use: "sig" };
}

/** The provider itself, run in the child process. */
async function serve({ redirectUri, postLogoutRedirectUri, alg, mode, clientId, clientSecret }) {
  const { default: Provider } = await import("oidc-provider");
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const wrongIssuer = mode === "wrong-iss" || mode === "wrong-iss-token";
  // The tokens say this issuer; the discovery document always says `base`.
  const issuer = wrongIssuer ? `${base}/someone-else` : base;
  // Who signed in: the opaque `sub` given to the client, and the address typed for it.
  const people = new Map();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [postLogoutRedirectUri],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_post",
        id_token_signed_response_alg: alg,
        ...(mode === "json-userinfo" ? {} : { userinfo_signed_response_alg: alg }),
      },
    ],
    jwks: {
      keys: [signingKey("rsa", { modulusLength: 2048 }, "RS256"), signingKey("ec", { namedCurve: "P-256" }, "ES256")],
    },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        // Confirmed at once, as ProConnect sends the browser back without asking.
        logoutSource(ctx, form) {
          ctx.type = "html";
          ctx.body = page(
            "Signing out",
            `${form}<input type="hidden" form="op.logoutForm" name="logout" value="yes">
<script>document.forms["op.logoutForm"].submit()</script>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = "html";
          ctx.body = page("Signed out", "");
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = page("Error", `<pre>${escape(JSON.stringify(out))}</pre>`);
    },
    claims: {
      openid: ["sub"],
      email: ["email"],
      given_name: ["given_name"],
      usual_name: ["usual_name"],
      uid: ["uid"],
      siret: ["siret"],
    },
    findAccount(_ctx, sub) {
      const email = people.get(sub);
      if (!email) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, email, ...names(email), uid: sub, siret: "13002526500013" }),
      };
    },
    // No consent page: what the client asks is granted.
    async loadExistingGrant(ctx) {
      const { Grant } = ctx.oidc.provider;
      const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (id) return Grant.find(id);
      const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.params.scope);
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    if (ctx.method === "GET" && ctx.path === "/auth") {
      const unknown = Object.keys(ctx.query).filter((name) => !AUTHORIZATION_PARAMETERS.has(name));
      const short = ["state", "nonce"].filter((name) => String(ctx.query[name] ?? "").length < 32);
      if (unknown.length || short.length) {
        ctx.status = 400;
        ctx.type = "html";
        const problems = [
          ...unknown.map((name) => `unknown parameter ${name}`),
          ...short.map((name) => `${name} shorter than 32 characters`),
        ];
        ctx.body = page("Error", `<p>Y000400</p><ul>${problems.map((p) => `<li>${escape(p)}</li>`).join("")}</ul>`);
        return;
      }
    }
    // oidc-provider takes client_secret_basic for client_secret_post; ProConnect does not.
    if (ctx.method === "POST" && ctx.path === "/token" && ctx.get("Authorization")) {
      ctx.status = 401;
      ctx.body = { error: "invalid_client", error_description: "client_secret_post only" };
      return;
    }
    await next();
    if (wrongIssuer && ctx.path === "/.well-known/openid-configuration" && ctx.body) {
      ctx.body = {
        ...ctx.body,
        issuer: base,
        ...(mode === "wrong-iss-token" ? { authorization_response_iss_parameter_supported: false } : {}),
      };
    }
    const location = ctx.response.get("Location");
    if (mode === "wrong-iss-token" && location && location.startsWith(`${redirectUri}?`)) {
      const url = new URL(location);
      url.searchParams.delete("iss");
      ctx.response.set("Location", url.href);
    }
  });

  const callback = provider.callback();
  server.on("request", async (req, res) => {
    process.stderr.write(`${req.method} ${req.url.replace(/([?&](?:code|client_secret|id_token_hint)=)[^&]+/g, "$1…")}\n`);
    const interaction = req.url.match(/^\/interaction\/([\w-]+)$/);
    if (!interaction) return callback(req, res);
    try {
      if (req.method === "GET") {
        await provider.interactionDetails(req, res);
        res.setHeader("Content-Type", "text/html; charset=utf-8");
        return res.end(
          page(
            "Sign in",
            `<form method="post"><p><label for="login">Email</label>
<input id="login" name="login" type="email" autocomplete="email" required autofocus></p>
<p><button type="submit">Sign in</button> <button type="submit" name="cancel" value="yes" formnovalidate>Cancel</button></p></form>`,
          ),
        );
      }
      let body = "";
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      if (form.get("cancel")) {
        const result = { error: "access_denied", error_description: "End-User aborted interaction" };
        return await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      }
      const email = (form.get("login") || "").trim();
      const sub = createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 40);
      people.set(sub, email);
      await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
    } catch (error) {
      process.stderr.write(`interaction: ${error}\n`);
      res.statusCode = 400;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end(String(error));
    }
  });
  process.on("SIGTERM", () => process.exit(0));
  console.log(`issuer ${base}`);
}

if (process.argv[1] === self) await serve(JSON.parse(process.env.AVIS_TEST_PROVIDER));

// Sign-in with ProConnect (OpenID Connect) in a real Chromium, against a real OpenID provider
// started on loopback (oidc-provider.mjs), for id_tokens and userinfo signed with RS256 and with
// ES256: an existing account, an account made at first sign-in, the addresses refused, every
// failure of the flow itself, sign-out through the provider, and axe on the pages it adds.
// The browser may reach 127.0.0.1 only.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { freePort, launch, shots, startAvis, violations } from "./harness.mjs";
import { startProvider } from "./oidc-provider.mjs";

const PASSWORD = "une phrase de passe assez longue";
const ALLOWED_DOMAINS = "example.gouv.fr,other.fr";
const SCOPE = ["openid", "email", "given_name", "usual_name"];
const AUTHORIZATION_PARAMETERS = ["client_id", "nonce", "redirect_uri", "response_type", "scope", "state"];
const FAILED = "La connexion avec ProConnect a échoué";
const NO_ACCOUNT = "Aucun compte ne correspond à cette adresse";
const TEST_TIMEOUT = 120_000;

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/**
 * A provider whose client is registered for avis's URIs, then avis configured for it on the port
 * those URIs name (through its options, or through its environment with `viaEnv`).
 */
async function startPair({ alg = "RS256", mode = "", viaEnv = false } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const op = await startProvider({
    redirectUri: `${base}/admin/login/oidc/callback`,
    postLogoutRedirectUri: `${base}/admin/login`,
    alg,
    mode,
  });
  const settings = {
    issuer: op.issuer,
    "client-id": op.clientId,
    "client-secret": op.clientSecret,
    "allowed-domains": ALLOWED_DOMAINS,
  };
  const args = ["--public-url", base];
  const env = {};
  for (const [name, value] of Object.entries(settings)) {
    if (viaEnv) env[`AVIS_OIDC_${name.toUpperCase().replace("-", "_")}`] = value;
    else args.push(`--oidc-${name}`, value);
  }
  let avis;
  try {
    avis = await startAvis({ port, args, env });
    assert.equal(avis.base, base);
  } catch (error) {
    avis?.stop();
    await op.stop();
    throw error;
  }
  const answer = await fetch(`${op.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) });
  const discovery = await answer.json();
  return {
    alg,
    op,
    avis,
    base,
    discovery,
    async stop() {
      avis.stop();
      await op.stop();
    },
  };
}

/**
 * A new French-speaking context that may reach 127.0.0.1 only; `close()` closes it and asserts
 * that nothing tried to go elsewhere.
 */
async function open(options = {}) {
  const context = await browser.newContext({ locale: "fr-FR", ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const outside = [];
  const elsewhere = (href) => {
    const url = new URL(href);
    return /^(https?|wss?):$/.test(url.protocol) && url.hostname !== "127.0.0.1";
  };
  await context.route("**/*", (route) => {
    if (!elsewhere(route.request().url())) return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  // Redirects are not routed again: they are watched here.
  context.on("request", (request) => {
    if (elsewhere(request.url()) && !outside.includes(request.url())) outside.push(request.url());
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      assert.deepEqual(outside, [], "requests that left loopback");
    },
  };
}

/** avis's last warning in its log, for failure messages. */
function lastWarning(pair) {
  const warnings = pair.avis
    .log()
    .split("\n")
    .flatMap((line) => {
      try {
        const event = JSON.parse(line);
        return event.level === "WARN" ? [`${event.message}: ${String(event.error ?? "").split("\n")[0]}`] : [];
      } catch {
        return [];
      }
    });
  return warnings.at(-1) ?? "no warning logged";
}

/** A random value shaped like a state or a nonce. */
const random = () => randomBytes(32).toString("base64url");

/** A JWT's header and claims, unverified. */
function decodeJwt(token) {
  const parts = token.split(".");
  assert.equal(parts.length, 3, "a signed JWT");
  const [header, claims] = parts.slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
  return { header, claims };
}

/** Asserts that avis's redirect to the provider is exactly what ProConnect accepts. */
function checkAuthorization(url, pair) {
  assert.equal(`${url.origin}${url.pathname}`, pair.discovery.authorization_endpoint);
  const names = [...url.searchParams.keys()];
  assert.deepEqual([...names].sort(), AUTHORIZATION_PARAMETERS, "exactly these parameters, each once (no PKCE)");
  const params = Object.fromEntries(url.searchParams);
  assert.equal(params.response_type, "code");
  assert.equal(params.client_id, pair.op.clientId);
  assert.equal(params.redirect_uri, `${pair.base}/admin/login/oidc/callback`);
  assert.deepEqual(params.scope.split(" ").sort(), [...SCOPE].sort());
  assert.ok(params.state.length >= 32, `state of ${params.state.length} characters`);
  assert.ok(params.nonce.length >= 32, `nonce of ${params.nonce.length} characters`);
  assert.notEqual(params.state, params.nonce);
}

/**
 * From avis's sign-in page, follows the ProConnect link to the provider's sign-in form, checking
 * avis's redirect on the way; returns the authorisation URL.
 */
async function toProvider(page, pair) {
  await page.goto(`${pair.base}/admin/login`);
  const link = page.getByRole("link", { name: "Se connecter avec ProConnect" });
  assert.equal(new URL(await link.getAttribute("href"), pair.base).pathname, "/admin/login/oidc");
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/admin/login/oidc"),
    link.click(),
  ]);
  assert.equal(response.status(), 303);
  const url = new URL(response.headers().location, pair.base);
  checkAuthorization(url, pair);
  await providerForm(page, pair);
  return url;
}

/** Waits for the provider's own sign-in form. */
async function providerForm(page, pair) {
  try {
    await page.getByLabel("Email").waitFor();
  } catch (error) {
    throw new Error(`the provider's sign-in form did not show at ${page.url()}: ${await page.content()}\n${pair.op.log()}`, {
      cause: error,
    });
  }
  assert.ok(page.url().startsWith(`${pair.op.issuer}/interaction/`), page.url());
}

/**
 * The start of the flow asked outside the browser (the cookie avis sets lands in the context all
 * the same): avis's redirect to the provider, checked, then changed by `rewrite`.
 */
async function byHand(context, pair, rewrite = () => {}) {
  const response = await context.request.get(`${pair.base}/admin/login/oidc`, { maxRedirects: 0 });
  assert.equal(response.status(), 303);
  const url = new URL(response.headers().location, pair.base);
  checkAuthorization(url, pair);
  rewrite(url.searchParams);
  return url;
}

/**
 * Signs in at the provider as `email` (or cancels there); resolves to avis's answer at its
 * callback once the page has loaded.
 */
async function atProvider(page, pair, email, { cancel = false } = {}) {
  if (email) await page.getByLabel("Email").fill(email);
  const [callback] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${pair.base}/admin/login/oidc/callback`)),
    page.getByRole("button", { name: cancel ? "Cancel" : "Sign in", exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return callback;
}

/** Asserts that the callback signed the person in and that the page shows it. */
async function signedIn(page, pair, callback) {
  if (callback.status() !== 303) {
    const body = await callback.text().catch(() => "");
    const text = body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").slice(0, 400);
    assert.fail(`the callback answered ${callback.status()}: ${text}\navis: ${lastWarning(pair)}`);
  }
  assert.equal(new URL(callback.headers().location, pair.base).href, `${pair.base}/admin/`);
  const cookies = (await callback.headerValues("set-cookie")).join("\n");
  assert.match(cookies, /avis_session=[^;\s]+/, "a session cookie is set");
  await page.waitForURL(`${pair.base}/admin/`);
  await page.getByRole("heading", { level: 1, name: "Mes démarches" }).waitFor();
  const signOut = page.getByRole("button", { name: /^Se déconnecter/ });
  await signOut.waitFor();
  // The callback is reached through a redirect from another site: a SameSite=Strict session
  // cookie would not come along to /admin/ with a real provider.
  const session = (await page.context().cookies(pair.base)).find((c) => c.name.endsWith("avis_session"));
  assert.ok(session, "the session cookie is kept");
  assert.equal(session.httpOnly, true);
  assert.notEqual(session.sameSite, "Strict");
  return (await signOut.innerText()).trim();
}

/**
 * Clicks the menu's sign-out button of a ProConnect session and follows the browser to the
 * provider's end_session and back to avis's sign-in page; resolves to the end_session URL asked.
 * avis may send the browser there by a 303, or (as the back-office's `form-action 'self'` keeps
 * a form from being redirected to another site) by a page that goes on there at once and links
 * to it. With `meanwhile`, that page's own move is answered "204 No Content" so that it stays on
 * screen while `meanwhile` runs; then its link is followed.
 */
async function signOutThroughProvider(page, pair, meanwhile) {
  const endpoint = `${pair.discovery.end_session_endpoint}?`;
  const ends = [];
  const onRequest = (r) => r.url().startsWith(endpoint) && ends.push(r.url());
  const toEnd = (url) => url.href.startsWith(endpoint);
  const stay = (route) => route.fulfill({ status: 204 });
  page.on("request", onRequest);
  if (meanwhile) await page.route(toEnd, stay, { times: 1 });
  try {
    const [logout] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${pair.base}/admin/logout`),
      page.getByRole("button", { name: /^Se déconnecter/ }).click(),
    ]);
    if (logout.status() === 303) {
      assert.equal(meanwhile, undefined, "no page between avis and the provider to check");
      await page.waitForURL((url) => url.origin === pair.base && url.pathname === "/admin/login");
      assert.equal(ends.length, 1, "the browser went once to end_session");
      assert.equal(new URL(logout.headers().location, pair.base).href, ends[0]);
      return new URL(ends[0]);
    }
    assert.equal(logout.status(), 200, `the sign-out form answered ${logout.status()}`);
    const cookies = (await logout.headerValues("set-cookie")).join("\n");
    assert.match(cookies, /avis_session=;/, "the session cookie is removed");
    if (!meanwhile) {
      await page.waitForURL((url) => url.origin === pair.base && url.pathname === "/admin/login");
      assert.equal(ends.length, 1, "the browser went once to end_session");
      return new URL(ends[0]);
    }
    await page.waitForURL(`${pair.base}/admin/logout`);
    const link = await page.getByRole("link", { name: "Continuer" }).getAttribute("href");
    const refresh = await page.locator('meta[http-equiv="refresh"]').getAttribute("content");
    assert.equal(refresh, `0; url=${link}`);
    await meanwhile();
    assert.deepEqual(ends, [link], "the page went on to end_session at once");
    await page.getByRole("link", { name: "Continuer" }).click();
    await page.waitForURL((url) => url.origin === pair.base && url.pathname === "/admin/login");
    assert.deepEqual(ends, [link, link], "its link leads there too");
    return new URL(link);
  } finally {
    page.off("request", onRequest);
    if (meanwhile) await page.unroute(toEnd, stay);
  }
}

/** Asserts that the callback answered a sign-in page with status 401, the failure said. */
async function failed(page, callback) {
  assert.equal(callback.status(), 401, `the callback answered ${callback.status()}`);
  await page.getByText(FAILED).waitFor();
  await page.getByRole("heading", { level: 1, name: "Se connecter" }).waitFor();
  await page.locator('main a[href^="/admin/login"]').first().waitFor();
  assert.equal(await callback.headerValue("location"), null);
}

/** Asserts that the callback refused the address: status 403, and the words for it. */
async function refused(page, callback) {
  assert.equal(callback.status(), 403, `the callback answered ${callback.status()}`);
  await page.getByText(NO_ACCOUNT).waitFor();
}

/** Asserts that `path`, asked with the context's cookies, sends to the sign-in form. */
async function signedOut(context, pair, path = "/admin/") {
  const response = await context.request.get(pair.base + path, { maxRedirects: 0 });
  assert.equal(response.status(), 303, `${path} answered ${response.status()}`);
  assert.match(response.headers().location, /^(http:\/\/127\.0\.0\.1:\d+)?\/admin\/login/);
}

/** The accounts as `avis users list` prints them. */
function accounts(pair) {
  const [head, ...rows] = pair.avis.cli("users", "list").split("\n");
  const names = head.split("\t");
  return rows.filter(Boolean).map((row) => Object.fromEntries(row.split("\t").map((v, i) => [names[i], v])));
}

/** Accepts an invitation (the address already chosen) as `name`; the page stays signed in. */
async function accept(page, link, name) {
  await page.goto(link);
  await page.getByLabel("Nom affiché").fill(name);
  await page.getByLabel("Nouveau mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await page.waitForURL(/\/admin\/$/);
}

/** A whole failing flow in a new context: `prepare` brings the page to the provider's form. */
async function expectFailure(pair, prepare, { email = "ada.lovelace@example.gouv.fr", cancel = false } = {}) {
  const browsing = await open();
  const { context, page, errors } = browsing;
  await prepare(browsing);
  await providerForm(page, pair);
  const callback = await atProvider(page, pair, cancel ? null : email, { cancel });
  await failed(page, callback);
  await signedOut(context, pair);
  assert.deepEqual(errors, []);
  await browsing.close();
}

for (const alg of ["RS256", "ES256"]) {
  const viaEnv = alg === "ES256";
  describe(`ProConnect, tokens signed with ${alg}${viaEnv ? ", configured through the environment" : ""}`, () => {
    let pair;

    before(async () => {
      pair = await startPair({ alg, viaEnv });
    });

    after(async () => {
      await pair?.stop();
    });

    test("an existing account signs in, whatever its domain and the case typed", { timeout: TEST_TIMEOUT }, async () => {
      const email = `claire.martin.${alg.toLowerCase()}@exemple.gouv.fr`;
      const browsing = await open();
      const { page, errors } = browsing;
      await accept(page, pair.avis.invite(email, "--superadmin"), "Claire Martin");

      // A session opened with a password ends at avis alone, as before.
      const providerRequests = [];
      page.on("request", (r) => r.url().startsWith(pair.op.issuer) && providerRequests.push(r.url()));
      const [logout] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${pair.base}/admin/logout`),
        page.getByRole("button", { name: /^Se déconnecter/ }).click(),
      ]);
      assert.equal(logout.status(), 303);
      assert.equal(new URL(logout.headers().location, pair.base).href, `${pair.base}/admin/login`);
      await page.waitForURL(`${pair.base}/admin/login`);
      assert.deepEqual(providerRequests, []);

      await toProvider(page, pair);
      const callback = await atProvider(page, pair, email.replace("claire.martin", "Claire.Martin").replace("exemple", "Exemple"));
      const signOut = await signedIn(page, pair, callback);
      assert.match(signOut, /^Se déconnecter/);
      await page.screenshot({ path: join(shots, `proconnect-signed-in-${alg}.png`), fullPage: true });
      // The same account, superadmin as invited, and no second one made.
      const users = await page.goto(`${pair.base}/admin/users`);
      assert.equal(users.status(), 200);
      assert.deepEqual(
        accounts(pair).filter((a) => a.email.toLowerCase() === email).map((a) => [a.email, a.superadmin]),
        [[email, "true"]],
      );
      assert.deepEqual(errors, []);
      await browsing.close();
    });

    test("an unknown address in an allowed domain gets an account of no organisation", { timeout: TEST_TIMEOUT }, async () => {
      for (const [typed, email] of [
        ["Marie.Curie@Example.gouv.fr", "marie.curie@example.gouv.fr"],
        ["jean.dupont@other.fr", "jean.dupont@other.fr"],
      ]) {
        assert.deepEqual(accounts(pair).filter((a) => a.email === email), []);
        for (const time of ["first", "again"]) {
          const browsing = await open();
          const { page, errors } = browsing;
          await toProvider(page, pair);
          const callback = await atProvider(page, pair, typed);
          await signedIn(page, pair, callback);
          await page.getByText("Vous n'êtes membre d'aucune organisation").waitFor();
          const made = accounts(pair).filter((a) => a.email.toLowerCase() === email);
          assert.deepEqual(
            made.map((a) => [a.email, a.superadmin, a.disabled]),
            [[email, "false", "false"]],
            `${email}, ${time}`,
          );
          const users = await page.goto(`${pair.base}/admin/users`);
          assert.notEqual(users.status(), 200, "a new account is no superadmin");
          assert.deepEqual(errors, []);
          await browsing.close();
        }
      }
    });

    test("an unknown address outside the allowed domains, and a disabled account, are refused", { timeout: TEST_TIMEOUT }, async () => {
      const refuse = async (email) => {
        const browsing = await open();
        const { context, page, errors } = browsing;
        await toProvider(page, pair);
        const callback = await atProvider(page, pair, email);
        await refused(page, callback);
        await signedOut(context, pair);
        assert.deepEqual(errors, []);
        await browsing.close();
      };
      for (const email of ["paul.girard@elsewhere.fr", "paul.girard@notexample.gouv.fr", "paul.girard@example.gouv.fr.evil.fr"]) {
        await refuse(email);
        assert.deepEqual(accounts(pair).filter((a) => a.email.toLowerCase() === email), [], `no account for ${email}`);
      }

      // An account in an allowed domain, disabled by a superadmin: refused, and not made anew.
      const disabled = "lea.moreau@example.gouv.fr";
      const admin = "sophie.laurent@exemple.gouv.fr";
      const setup = await open();
      await accept(setup.page, pair.avis.invite(disabled, "--organisation", pair.avis.organisation), "Léa Moreau");
      await setup.context.clearCookies();
      await accept(setup.page, pair.avis.invite(admin, "--superadmin"), "Sophie Laurent");
      await setup.page.goto(`${pair.base}/admin/users`);
      await setup.page.getByRole("button", { name: `Désactiver – ${disabled}` }).click();
      await setup.page.getByRole("button", { name: `Réactiver – ${disabled}` }).waitFor();
      await setup.close();
      await refuse(disabled);
      assert.deepEqual(
        accounts(pair).filter((a) => a.email === disabled).map((a) => a.disabled),
        ["true"],
      );
    });

    test("a nonce changed on the way fails, where the same path unchanged signs in", { timeout: TEST_TIMEOUT }, async () => {
      const control = await open();
      const url = await byHand(control.context, pair);
      await control.page.goto(url.href);
      await providerForm(control.page, pair);
      await signedIn(control.page, pair, await atProvider(control.page, pair, "ada.lovelace@example.gouv.fr"));
      await control.close();

      await expectFailure(pair, async ({ context, page }) => {
        const url = await byHand(context, pair, (params) => params.set("nonce", random()));
        await page.goto(url.href);
      });
    });

    test("a state changed on the way, or a callback in a browser that did not start the flow, fails", { timeout: TEST_TIMEOUT }, async () => {
      await expectFailure(pair, async ({ context, page }) => {
        const url = await byHand(context, pair, (params) => params.set("state", random()));
        await page.goto(url.href);
      });

      const starter = await open();
      const url = await byHand(starter.context, pair);
      await expectFailure(pair, async ({ page }) => {
        await page.goto(url.href);
      });
      await starter.close();

      const bare = await open();
      const response = await bare.page.goto(`${pair.base}/admin/login/oidc/callback?code=${random()}&state=${random()}`);
      assert.equal(response.status(), 401);
      await bare.page.getByText(FAILED).waitFor();
      await signedOut(bare.context, pair);
      await bare.close();
    });

    test("an error answered by the provider fails", { timeout: TEST_TIMEOUT }, async () => {
      await expectFailure(pair, (browsing) => toProvider(browsing.page, pair), { cancel: true });
    });

    test("an id_token from another issuer fails", { timeout: TEST_TIMEOUT }, async () => {
      // With the `iss` of the authorisation response naming it too, then with the id_token alone.
      for (const mode of ["wrong-iss", "wrong-iss-token"]) {
        const other = await startPair({ alg, mode });
        try {
          await expectFailure(other, (browsing) => toProvider(browsing.page, other));
        } finally {
          await other.stop();
        }
      }
    });

    test("userinfo in plain JSON is refused", { timeout: TEST_TIMEOUT }, async () => {
      const other = await startPair({ alg, mode: "json-userinfo" });
      try {
        await expectFailure(other, (browsing) => toProvider(browsing.page, other));
      } finally {
        await other.stop();
      }
    });

    test("signing out of a ProConnect session goes through the provider's end_session", { timeout: TEST_TIMEOUT }, async () => {
      const browsing = await open();
      const { context, page, errors } = browsing;
      await toProvider(page, pair);
      await signedIn(page, pair, await atProvider(page, pair, "grace.hopper@example.gouv.fr"));

      const end = await signOutThroughProvider(page, pair);
      assert.equal(`${end.origin}${end.pathname}`, pair.discovery.end_session_endpoint);
      for (const name of ["id_token_hint", "state", "post_logout_redirect_uri"]) {
        assert.equal(end.searchParams.getAll(name).length, 1, `${name} once`);
      }
      assert.equal(end.searchParams.get("post_logout_redirect_uri"), `${pair.base}/admin/login`);
      const hint = decodeJwt(end.searchParams.get("id_token_hint"));
      assert.equal(hint.header.alg, alg);
      assert.equal(hint.claims.iss, pair.op.issuer);
      assert.equal(hint.claims.aud, pair.op.clientId);
      const state = end.searchParams.get("state");

      assert.equal(new URL(page.url()).searchParams.get("state"), state);
      await page.getByRole("link", { name: "Se connecter avec ProConnect" }).waitFor();
      await signedOut(context, pair);
      await page.goto(`${pair.base}/admin/`);
      assert.equal(new URL(page.url()).pathname, "/admin/login");

      // The provider's session ended too: signing in again asks who one is.
      await toProvider(page, pair);
      assert.deepEqual(errors, []);
      await browsing.close();
    });
  });
}

describe("ProConnect's pages", () => {
  let pair;

  before(async () => {
    pair = await startPair();
  });

  after(async () => {
    await pair?.stop();
  });

  test("the sign-in page with its ProConnect link, the refusal pages and the page to the provider's sign-out have no WCAG 2.1 A or AA violation", { timeout: 4 * TEST_TIMEOUT }, async () => {
    const pages = [
      ["login", async (page) => {
        await page.goto(`${pair.base}/admin/login`);
        await page.getByRole("link", { name: "Se connecter avec ProConnect" }).waitFor();
      }],
      ["login-en", async (page) => {
        await page.goto(`${pair.base}/admin/login?lang=en`);
        const link = page.getByRole("link", { name: "Sign in with ProConnect" });
        assert.equal(new URL(await link.getAttribute("href"), pair.base).pathname, "/admin/login/oidc");
      }],
      ["refused", async (page) => {
        await page.context().clearCookies();
        await toProvider(page, pair);
        await refused(page, await atProvider(page, pair, "personne@elsewhere.fr"));
      }],
      ["failed", async (page) => {
        await page.context().clearCookies();
        await toProvider(page, pair);
        await failed(page, await atProvider(page, pair, null, { cancel: true }));
      }],
      // The page between avis and the provider's end_session, when avis answers one.
      ["leaving", async (page, check) => {
        await page.context().clearCookies();
        await toProvider(page, pair);
        await signedIn(page, pair, await atProvider(page, pair, "agathe.roux@example.gouv.fr"));
        let checked = false;
        await signOutThroughProvider(page, pair, async () => {
          await page.getByRole("heading", { level: 1, name: "Vous êtes déconnecté" }).waitFor();
          await check();
          checked = true;
        });
        return checked;
      }],
    ];
    const problems = [];
    for (const [variant, options] of [
      ["light", {}],
      ["light-320", { viewport: { width: 320, height: 640 } }],
      ["dark", { colorScheme: "dark" }],
      ["dark-320", { colorScheme: "dark", viewport: { width: 320, height: 640 } }],
    ]) {
      const browsing = await open(options);
      const { page, errors } = browsing;
      for (const [name, visit] of pages) {
        const where = `${name} (${variant})`;
        const check = async () => {
          for (const v of await violations(page)) problems.push(`${where}: ${v}`);
          const ids = await page.evaluate(() => [...document.querySelectorAll("[id]")].map((el) => el.id));
          for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) problems.push(`${where}: id ${id} twice`);
          if (options.viewport) {
            const width = await page.evaluate(() => document.documentElement.scrollWidth);
            if (width > 320) problems.push(`${where}: ${width} px wide`);
          }
          await page.screenshot({ path: join(shots, `proconnect-${variant}-${name}.png`), fullPage: true });
        };
        const checked = await visit(page, check);
        if (name !== "leaving" && !checked) await check();
      }
      assert.deepEqual(errors, [], `script errors (${variant})`);
      await browsing.close();
    }
    assert.deepEqual(problems, []);
  });
});

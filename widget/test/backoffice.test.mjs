// The back-office in a real Chromium: an agent's whole path from the first account to a review
// seen on the dashboard, by mouse and by keyboard, and every page checked by axe-core in light and
// dark, at 320 px and at the default width.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, shots, startAvis, startHost, tabTo, violations } from "./harness.mjs";

const PASSWORD = "une phrase de passe assez longue";
const SNIPPET = /^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-button="([0-9a-f-]{36})" async><\/script>$/;

let avis, host, browser;

before(async () => {
  avis = await startAvis();
  host = await startHost(avis.base);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  host?.stop();
  avis?.stop();
});

/** A new context that may use the clipboard, with the page's script errors collected. */
async function open(options = {}) {
  const context = await browser.newContext({
    locale: "fr-FR",
    permissions: ["clipboard-read", "clipboard-write"],
    ...options,
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/** The id at the end of the page's path, once the path looks like `prefix{id}`. */
async function landedOn(page, prefix) {
  await page.waitForURL((url) => url.pathname.startsWith(prefix) && url.pathname.length > prefix.length);
  return new URL(page.url()).pathname.slice(prefix.length);
}

/** The whole host page an administration would publish, with the pasted snippet in it. */
function hostPage(snippet) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Démarche terminée</title></head>
<body><main><h1>Votre demande est enregistrée</h1>
${snippet}
</main></body></html>`;
}

/** Rates `choice` in the widget of a host page and returns the stored review's id. */
async function rate(page, url, choice = "Très bien") {
  await page.goto(url);
  await page.getByText(choice, { exact: true }).click();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/v1/reviews") && r.request().method() === "POST"),
    page.getByRole("button", { name: "Envoyer", exact: true }).click(),
  ]);
  assert.equal(response.status(), 201);
  await page.getByText("Suivant").waitFor();
  return (await response.json()).id;
}

/** The satisfaction tile of a procedure's dashboard: [value, answers, level, publication]. */
async function satisfactionTile(page) {
  const tile = page.locator("#tile-satisfaction");
  return [
    await tile.locator(".big").innerText(),
    await tile.locator("dd.n").innerText(),
    await tile.locator("dd").nth(2).innerText(),
    await tile.locator("dd.publishable").innerText(),
  ];
}

/** Asserts that `path`, asked with the context's cookies, sends to the sign-in form. */
async function signedOut(context, path) {
  const response = await context.request.get(avis.base + path, { maxRedirects: 0 });
  assert.equal(response.status(), 303);
  assert.match(response.headers().location, /^\/admin\/login/);
}

describe("the back-office", () => {
  test("an agent goes by mouse from the first account to a review on the dashboard", async () => {
    const { context, page, errors } = await open();
    const link = await avis.firstAccount;
    assert.ok(link.startsWith(`${avis.base}/admin/invitations/`), link);

    await page.goto(link);
    assert.deepEqual(await violations(page), [], "the first account's invitation");
    await page.getByLabel("Adresse e-mail").fill("claire.martin@exemple.gouv.fr");
    await page.getByLabel("Nom affiché").fill("Claire Martin");
    await page.getByLabel("Nouveau mot de passe").fill(PASSWORD);
    await page.getByRole("button", { name: "Créer mon compte" }).click();
    await page.waitForURL(`${avis.base}/admin/`);
    await page.getByRole("heading", { level: 1, name: "Mes démarches" }).waitFor();

    await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Organisations" }).click();
    await page.waitForURL(`${avis.base}/admin/organisations`);
    await page.getByLabel("Nom", { exact: true }).fill("Préfecture du Rhône");
    await page.getByRole("button", { name: "Créer", exact: true }).click();
    await landedOn(page, "/admin/organisations/");
    await page.getByRole("heading", { level: 1, name: "Préfecture du Rhône" }).waitFor();

    await page.getByLabel("Intitulé").fill("Permis de conduire");
    await page.getByRole("button", { name: "Créer", exact: true }).click();
    const procedure = await landedOn(page, "/admin/procedures/");
    await page.getByRole("heading", { level: 1, name: "Permis de conduire" }).waitFor();
    assert.deepEqual(await satisfactionTile(page), ["Pas encore d'avis", "0", "Sans niveau", "Pas encore assez d'avis"]);

    await page.getByLabel("Libellé").fill("Fin de démarche");
    await page.getByLabel("Sites autorisés").fill(host.origin);
    await page.getByRole("button", { name: "Créer", exact: true }).click();
    const button = await landedOn(page, "/admin/buttons/");
    await page.getByText("Créé.").waitFor();

    // The plain widget tag's copy button (the pinned tag below it has its own).
    const widgetField = page.locator("#code-widget").locator("xpath=..");
    await widgetField.getByRole("button", { name: "Copier" }).click();
    await widgetField.getByRole("button", { name: "Copié" }).waitFor();
    const snippet = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(snippet, SNIPPET);
    assert.equal(snippet.match(SNIPPET)[1], button);
    assert.equal(snippet, await page.locator("#code-widget").inputValue());
    assert.ok(snippet.includes(`src="${avis.base}/widget.js"`), snippet);
    // The live preview is the widget itself, which sends nothing from the back-office.
    const preview = page.locator("#widget-preview");
    await preview.getByText("Très bien").click();
    await preview.getByRole("button", { name: "Envoyer" }).click();
    await preview.getByText("Aperçu : rien n'est envoyé.").waitFor();
    assert.deepEqual(await avis.api(`/api/v1/reviews?procedure=${procedure}`), []);
    await page.screenshot({ path: join(shots, "backoffice-path-button.png"), fullPage: true });

    host.serve("/pasted", hostPage(snippet));
    const citizen = await context.newPage();
    const review = await rate(citizen, `${host.origin}/pasted`);
    await citizen.close();

    const stored = await avis.api(`/api/v1/reviews?procedure=${procedure}`);
    assert.deepEqual(stored.map((r) => [r.id, r.button_id, r.answers.satisfaction]), [[review, button, "good"]]);

    await page.getByRole("link", { name: "Permis de conduire" }).click();
    await page.waitForURL(`${avis.base}/admin/procedures/${procedure}`);
    assert.deepEqual(await satisfactionTile(page), ["10,00 / 10", "1", "Bon", "Pas encore assez d'avis"]);
    await page.getByRole("link", { name: "Mes démarches" }).click();
    await page.waitForURL(`${avis.base}/admin/`);
    const row = page.getByRole("row", { name: /Permis de conduire/ });
    assert.match(await row.innerText(), /Préfecture du Rhône/);
    assert.equal(await row.locator("td.number").innerText(), "1");

    await page.getByRole("button", { name: /^Se déconnecter/ }).click();
    await page.waitForURL(`${avis.base}/admin/login`);
    await signedOut(context, "/admin/");
    await page.goto(`${avis.base}/admin/`);
    assert.equal(new URL(page.url()).pathname, "/admin/login");
    await page.getByRole("heading", { level: 1, name: "Se connecter" }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("an agent goes the same way with the keyboard alone", async () => {
    const { context, page, errors } = await open();
    const link = avis.invite("karim.benali@exemple.gouv.fr", "--superadmin");
    await page.goto(link);
    await tabTo(page, { name: "name" });
    await page.keyboard.type("Karim Benali");
    await tabTo(page, { name: "password" });
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${avis.base}/admin/`);

    // The skip link comes first, shows itself when focused and leads to the content.
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const box = el.getBoundingClientRect();
      return { text: el.textContent, left: box.left, outline: getComputedStyle(el).outlineStyle };
    });
    assert.deepEqual(skip, { text: "Aller au contenu", left: 0, outline: "solid" });
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "content");

    await tabTo(page, { backwards: true, text: "Organisations" });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${avis.base}/admin/organisations`);
    await tabTo(page, { name: "name" });
    await page.keyboard.type("Mairie de Lyon");
    await page.keyboard.press("Enter");
    await landedOn(page, "/admin/organisations/");

    await tabTo(page, { name: "title" });
    await page.keyboard.type("Inscription à la cantine");
    await page.keyboard.press("Enter");
    const procedure = await landedOn(page, "/admin/procedures/");

    await tabTo(page, { name: "label" });
    await page.keyboard.type("Courriel de confirmation");
    await tabTo(page, { name: "origins" });
    await page.keyboard.type(host.origin);
    await tabTo(page, { text: "Créer" });
    await page.keyboard.press("Enter");
    const button = await landedOn(page, "/admin/buttons/");

    await tabTo(page, { text: "Copier" });
    const focus = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.equal(focus, "solid", "the focused copy button shows its focus");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Copié" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Copié", "the focus stays on the button");
    const snippet = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(snippet.match(SNIPPET)?.[1], button);

    await tabTo(page, { backwards: true, tag: "BUTTON", text: "Se déconnecter (Karim Benali)" });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${avis.base}/admin/login`);
    await signedOut(context, `/admin/procedures/${procedure}`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a copy that the browser refuses says so and leaves the text selected", async () => {
    const email = "lea.moreau@exemple.gouv.fr";
    await accept(avis.invite(email, "--superadmin"), "Léa Moreau");
    const { button } = avis.button(host.origin);
    const { context, page, errors } = await open();
    await page.addInitScript(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException("refused", "NotAllowedError"));
    });
    await signIn(page, email);
    await page.goto(`${avis.base}/admin/buttons/${button}`);
    await page.locator("#code-link").locator("xpath=..").getByRole("button", { name: "Copier" }).click();
    await page.getByRole("button", { name: "Sélectionnez le texte puis copiez-le." }).waitFor();
    const selected = await page.evaluate(() => {
      const el = document.activeElement;
      return [el.id, el.value.slice(el.selectionStart, el.selectionEnd) === el.value];
    });
    assert.deepEqual(selected, ["code-link", true]);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("every page has no WCAG 2.1 A or AA violation, in light and dark, at 320 px and wide", async () => {
    const sweeper = "sophie.laurent@exemple.gouv.fr";
    await accept(avis.invite(sweeper, "--superadmin"), "Sophie Laurent");
    const organisation = avis.organisation;
    await accept(avis.invite("paul.girard@exemple.gouv.fr", "--organisation", organisation, "--role", "admin"), "Paul Girard");
    const citizen = await open();
    const rated = [];
    for (const choice of ["Très bien", "Moyen", "Pas bien"]) {
      rated.push(avis.button(host.origin));
      await rate(citizen.page, `${host.origin}/page?button=${rated.at(-1).button}`, choice);
    }
    await citizen.context.close();
    const { procedure, button } = rated[0];

    const beforeSignIn = [
      ["landing", (page) => page.goto(`${avis.base}/`)],
      ["login", (page) => page.goto(`${avis.base}/admin/login`)],
      ["login-en", (page) => page.goto(`${avis.base}/admin/login?lang=en`)],
      ["unsubscribe", (page) => page.goto(`${avis.base}/unsubscribe/not-a-key`)],
      ["unsubscribe-unknown", async (page) => {
        await page.goto(`${avis.base}/unsubscribe/not-a-key`);
        await page.getByRole("button", { name: "Me désabonner" }).click();
        await page.getByText("n'est pas reconnu").waitFor();
      }],
      ["login-error", async (page) => {
        await page.goto(`${avis.base}/admin/login`);
        await page.getByLabel("Adresse e-mail").fill("personne@exemple.gouv.fr");
        await page.getByLabel("Mot de passe").fill("pas le bon mot de passe");
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page.getByText("Il y a un problème").waitFor();
      }],
      ["invitation", async (page) => {
        await page.goto(avis.invite(`invitee.${Date.now()}@exemple.gouv.fr`, "--organisation", organisation));
        await page.getByRole("heading", { level: 1, name: "Créer votre compte" }).waitFor();
      }],
    ];
    const afterSignIn = [
      ["home", (page) => page.goto(`${avis.base}/admin/`)],
      ["organisations", (page) => page.goto(`${avis.base}/admin/organisations`)],
      ["organisation", (page) => page.goto(`${avis.base}/admin/organisations/${organisation}`)],
      ["organisation-error", async (page) => {
        await page.goto(`${avis.base}/admin/organisations/${organisation}`);
        await page.getByRole("button", { name: "Créer", exact: true }).click();
        await page.getByText("Il y a un problème").waitFor();
      }],
      ["members", async (page) => {
        await page.goto(`${avis.base}/admin/organisations/${organisation}/members`);
        await page.getByLabel("Adresse e-mail").fill(`nouveau.${Date.now()}@exemple.gouv.fr`);
        await page.getByRole("button", { name: "Inviter", exact: true }).click();
        await page.locator("#invitation-link").waitFor();
      }],
      ["keys", async (page) => {
        await page.goto(`${avis.base}/admin/organisations/${organisation}/keys`);
        await page.getByRole("button", { name: "Créer", exact: true }).click();
        await page.locator("#key-secret").waitFor();
      }],
      ["webhooks", async (page) => {
        await page.goto(`${avis.base}/admin/organisations/${organisation}/webhooks`);
        await page.getByLabel("Adresse de réception").fill("https://8.8.8.8/avis");
        await page.getByLabel("Nouvel avis").check();
        await page.getByLabel("Avis exclu").check();
        await page.getByRole("button", { name: "Créer", exact: true }).click();
        await page.locator("#webhook-secret").waitFor();
        assert.match(await page.locator("#webhook-secret").inputValue(), /^whsec_/);
      }],
      ["webhook-deliveries", async (page) => {
        await page.getByRole("link", { name: "https://8.8.8.8/avis" }).first().click();
        await page.getByText("Aucun envoi pour l'instant.").waitFor();
      }],
      ["webhooks-error", async (page) => {
        // The endpoint made above is deleted, so that nothing is ever sent off this machine.
        await page.goto(`${avis.base}/admin/organisations/${organisation}/webhooks`);
        while (await page.getByRole("button", { name: /^Supprimer/ }).count() > 0) {
          await page.getByRole("button", { name: /^Supprimer/ }).first().click();
          await page.getByText("Modifications enregistrées.").waitFor();
        }
        await page.getByLabel("Adresse de réception").fill("http://127.0.0.1/interne");
        await page.getByRole("button", { name: "Créer", exact: true }).click();
        await page.getByText("Il y a un problème").waitFor();
      }],
      ["organisation-audit", (page) => page.goto(`${avis.base}/admin/organisations/${organisation}/audit`)],
      ["procedure", (page) => page.goto(`${avis.base}/admin/procedures/${procedure}`)],
      ["procedure-settings", (page) => page.goto(`${avis.base}/admin/procedures/${procedure}/settings`)],
      ["alerts", async (page) => {
        await page.goto(`${avis.base}/admin/procedures/${procedure}/alerts`);
        await page.getByLabel("M'écrire quand de nouveaux avis arrivent").check();
        await page.getByLabel("M'écrire quand la satisfaction passe sous").fill("6,5");
        await page.getByLabel("Fréquence").selectOption("weekly");
        await page.getByRole("button", { name: "Enregistrer", exact: true }).click();
        await page.getByText("Modifications enregistrées.").waitFor();
      }],
      ["alerts-error", async (page) => {
        await page.getByLabel("M'écrire quand la satisfaction dépasse").fill("onze");
        await page.getByRole("button", { name: "Enregistrer", exact: true }).click();
        await page.getByText("Il y a un problème").waitFor();
      }],
      ["button", (page) => page.goto(`${avis.base}/admin/buttons/${button}`)],
      ["account", (page) => page.goto(`${avis.base}/admin/account`)],
      ["users", (page) => page.goto(`${avis.base}/admin/users`)],
      ["settings", (page) => page.goto(`${avis.base}/admin/settings`)],
      ["audit", (page) => page.goto(`${avis.base}/admin/audit`)],
      ["not-found", async (page) => {
        const response = await page.goto(`${avis.base}/admin/procedures/${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}`);
        assert.equal(response.status(), 404);
      }],
    ];

    const problems = [];
    for (const [variant, options] of [
      ["light", {}],
      ["light-320", { viewport: { width: 320, height: 640 } }],
      ["dark", { colorScheme: "dark" }],
      ["dark-320", { colorScheme: "dark", viewport: { width: 320, height: 640 } }],
    ]) {
      const { context, page, errors } = await open(options);
      const check = async (name) => {
        const where = `${name} (${variant})`;
        for (const v of await violations(page)) problems.push(`${where}: ${v}`);
        const ids = await page.evaluate(() => [...document.querySelectorAll("[id]")].map((el) => el.id));
        for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) problems.push(`${where}: id ${id} twice`);
        if (options.viewport) {
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 320) problems.push(`${where}: ${width} px wide`);
        }
        await page.screenshot({ path: join(shots, `backoffice-${variant}-${name}.png`), fullPage: true });
      };
      for (const [name, visit] of beforeSignIn) {
        await visit(page);
        await check(name);
      }
      await signIn(page, sweeper);
      for (const [name, visit] of afterSignIn) {
        await visit(page);
        await check(name);
      }
      assert.deepEqual(errors, [], `script errors (${variant})`);
      await context.close();
    }
    assert.deepEqual(problems, []);
  });
});

/** Accepts an invitation (the address already chosen) as `name`, then forgets the session. */
async function accept(link, name) {
  const { context, page } = await open();
  await page.goto(link);
  await page.getByLabel("Nom affiché").fill(name);
  await page.getByLabel("Nouveau mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await page.waitForURL(`${avis.base}/admin/`);
  await context.close();
}

/** Signs in through the form. */
async function signIn(page, email) {
  await page.goto(`${avis.base}/admin/login`);
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(`${avis.base}/admin/`);
}

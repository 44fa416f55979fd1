// The inline widget in a real Chromium, on a host page of another origin.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, shots, startAvis, startHost, tabTo, violations } from "./harness.mjs";

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

async function open(options = {}) {
  const { button, procedure } = avis.button(host.origin, {
    contactEmail: !!options.contactEmail,
    proofOfWork: !!options.proofOfWork,
  });
  const context = await browser.newContext({ locale: "fr-FR", ...options.context });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const query = new URLSearchParams({ button, ...(options.query || {}) });
  await page.goto(`${host.origin}/page?${query}`);
  await page.locator("#avis legend").first().waitFor();
  return { page, context, button, procedure, errors };
}

function widget(page) {
  return page.locator("#avis");
}

async function createdId(page, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/v1/reviews") && r.request().method() === "POST"),
    action(),
  ]);
  assert.equal(response.status(), 201);
  return (await response.json()).id;
}

async function noViolations(page, step) {
  assert.deepEqual(await violations(page, "#avis"), [], `accessibility violations at ${step}`);
}

describe("the widget", () => {
  test("a citizen rates with the mouse, skips the rest, and the review is stored", async () => {
    const { page, context, errors } = await open();
    const w = widget(page);
    await noViolations(page, "the first question");
    await page.screenshot({ path: join(shots, "widget-1-question.png") });
    await w.getByRole("button", { name: "Envoyer", exact: true }).click();
    await w.getByText("Choisissez une réponse").waitFor();
    await w.getByText("Très bien").click();
    const id = await createdId(page, () => w.getByRole("button", { name: "Envoyer", exact: true }).click());
    await w.getByText("Suivant").waitFor();
    await noViolations(page, "the clarity question");
    await page.screenshot({ path: join(shots, "widget-2-clarity.png") });
    for (let i = 0; i < 2; i++) await w.getByText("Passer cette question").click();
    await w.locator("textarea").waitFor();
    await noViolations(page, "the comment");
    await page.screenshot({ path: join(shots, "widget-3-comment.png") });
    await w.getByText("Passer cette question").click();
    await w.getByText("Merci pour votre avis").waitFor();
    await noViolations(page, "the thanks");
    await page.screenshot({ path: join(shots, "widget-4-thanks.png") });
    const review = await avis.api(`/api/v1/reviews/${id}`);
    assert.deepEqual(review.answers, { satisfaction: "good" });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a citizen answers every step with the keyboard alone", async () => {
    const { page, context } = await open();
    await tabTo(page, { tag: "INPUT", value: "bad" });
    await page.keyboard.press("ArrowRight");
    await tabTo(page, { text: "Envoyer" });
    const id = await createdId(page, () => page.keyboard.press("Enter"));
    const w = widget(page);
    await w.getByText("Suivant").waitFor();
    await tabTo(page, { tag: "INPUT", value: "1" });
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await tabTo(page, { text: "Suivant" });
    await page.keyboard.press("Enter");
    await w.locator("input[type=checkbox]").first().waitFor();
    await noViolations(page, "the help question");
    for (const channel of ["phone", "email", "other"]) {
      await tabTo(page, { tag: "INPUT", value: channel });
      await page.keyboard.press("Space");
    }
    await tabTo(page, { tag: "INPUT", value: "" });
    await page.keyboard.type("la mairie");
    await tabTo(page, { text: "Suivant" });
    await page.keyboard.press("Enter");
    await w.locator("input[value=yes]").first().waitFor();
    await noViolations(page, "the reached question");
    await page.screenshot({ path: join(shots, "widget-5-reached.png") });
    await tabTo(page, { tag: "INPUT", value: "yes" });
    await page.keyboard.press("Space");
    await tabTo(page, { tag: "INPUT", value: "yes" });
    await page.keyboard.press("ArrowRight");
    await tabTo(page, { text: "Suivant" });
    await page.keyboard.press("Enter");
    await w.getByText("Excellente").waitFor();
    await noViolations(page, "the quality question");
    await tabTo(page, { tag: "INPUT", value: "1" });
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await tabTo(page, { text: "Suivant" });
    await page.keyboard.press("Enter");
    await w.locator("textarea").waitFor();
    await tabTo(page, { tag: "TEXTAREA" });
    await page.keyboard.type("Le formulaire était clair.");
    await tabTo(page, { text: "Envoyer" });
    await page.keyboard.press("Enter");
    await w.getByText("Merci pour votre avis").waitFor();
    const review = await avis.api(`/api/v1/reviews/${id}`);
    assert.deepEqual(review.answers, {
      satisfaction: "medium",
      comprehension: 4,
      contact_tried: ["phone", "email", "other"],
      contact_tried_other: "la mairie",
      contact_reached: { phone: "yes", email: "no" },
      contact_satisfaction: { phone: 4 },
      verbatim: "Le formulaire était clair.",
    });
    await context.close();
  });

  test("a network failure shows a message and the retry goes through", async () => {
    const { page, context, button } = await open();
    const w = widget(page);
    await page.route(`${avis.base}/api/v1/reviews`, (route) => route.abort("internetdisconnected"));
    await w.getByText("Moyen").click();
    await w.getByRole("button", { name: "Envoyer", exact: true }).click();
    await w.getByText("L'envoi a échoué").waitFor();
    await page.screenshot({ path: join(shots, "widget-6-failure.png") });
    await page.unroute(`${avis.base}/api/v1/reviews`);
    const id = await createdId(page, () => w.getByText("Réessayer").click());
    await w.getByText("Suivant").waitFor();
    const review = await avis.api(`/api/v1/reviews/${id}`);
    assert.equal(review.button_id, button);
    await context.close();
  });

  test("the host page keeps its own styles, scripts and globals", async () => {
    const { page, context, errors } = await open();
    const style = (selector) => page.evaluate((s) => {
      const el = document.querySelector(s);
      const c = getComputedStyle(el);
      return [c.color, c.fontSize, c.backgroundColor, c.fontFamily].join("|");
    }, selector);
    const before = [await style("h1"), await style("label"), await style("#host-button")];
    const w = widget(page);
    await w.getByText("Pas bien").click();
    await w.getByRole("button", { name: "Envoyer", exact: true }).click();
    await w.getByText("Suivant").waitFor();
    assert.deepEqual([await style("h1"), await style("label"), await style("#host-button")], before);
    assert.equal(before[0].split("|")[0], "rgb(10, 20, 30)");
    await page.click("#host-button");
    assert.equal(await page.evaluate(() => window.hostCounter), 1);
    const added = await page.evaluate(() => Object.keys(window).filter((k) => !window.__before.includes(k)));
    assert.deepEqual(added.filter((k) => !["__violations", "__before", "hostCounter"].includes(k)), ["JeDonneMonAvis"]);
    assert.equal(await page.evaluate(() => document.cookie), "");
    assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the widget works under a strict Content-Security-Policy", async () => {
    const { page, context, errors } = await open({ query: { csp: "1" } });
    const w = widget(page);
    const border = await w.locator("section").evaluate((el) => getComputedStyle(el).borderTopStyle);
    assert.equal(border, "solid", "the widget's own styles apply");
    await w.getByText("Très bien").click();
    const id = await createdId(page, () => w.getByRole("button", { name: "Envoyer", exact: true }).click());
    await w.getByText("Suivant").waitFor();
    await w.getByText("Passer cette question").click();
    await w.locator("input[type=checkbox]").first().waitFor();
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(errors, []);
    assert.equal((await avis.api(`/api/v1/reviews/${id}`)).answers.satisfaction, "good");
    await context.close();
  });

  test("a rating chosen but not sent is flushed when the page is left", async () => {
    const { page, context, procedure } = await open();
    await widget(page).getByText("Moyen").click();
    await page.goto("about:blank");
    let n = 0;
    for (let i = 0; i < 50 && n === 0; i++) {
      const body = await avis.api(`/api/v1/procedures/${procedure}/indicators`);
      n = body.indicators.satisfaction.n;
      if (n === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(n, 1);
    await context.close();
  });

  test("an address to be contacted back is sent only with the consent ticked", async () => {
    const { page, context } = await open({ contactEmail: true });
    const w = widget(page);
    await w.getByText("Très bien").click();
    const id = await createdId(page, () => w.getByRole("button", { name: "Envoyer", exact: true }).click());
    for (let i = 0; i < 2; i++) await w.getByText("Passer cette question").click();
    const email = w.locator("input[type=email]");
    await email.fill("claire@exemple.fr");
    await noViolations(page, "the comment with the contact address");
    await page.screenshot({ path: join(shots, "widget-8-contact.png") });
    await w.getByRole("button", { name: "Envoyer", exact: true }).click();
    await w.getByText("Cochez la case").waitFor();
    await w.getByText("J'accepte d'être recontacté").click();
    await w.getByRole("button", { name: "Envoyer", exact: true }).click();
    await w.getByText("Merci pour votre avis").waitFor();
    const contact = await avis.api(`/api/v1/reviews/${id}/contact`);
    assert.equal(contact.email, "claire@exemple.fr");
    const review = await avis.api(`/api/v1/reviews/${id}`);
    assert.ok(!JSON.stringify(review).includes("claire@exemple.fr"));
    await context.close();
  });

  for (const [where, query] of [["in a worker", {}], ["in the page under a strict policy", { csp: "1" }]]) {
    test(`a button under attack gets its proof of work solved ${where}`, async () => {
      const { page, context, errors } = await open({ proofOfWork: true, query });
      const workers = [];
      page.on("worker", (worker) => workers.push(worker.url()));
      const statuses = [];
      page.on("response", (r) => {
        if (r.url().includes("/api/v1/")) statuses.push(`${r.request().method()} ${new URL(r.url()).pathname.replace(/[0-9a-f-]{36}/, "{id}")} ${r.status()}`);
      });
      const w = widget(page);
      await w.getByText("Moyen").click();
      const [created] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/api/v1/reviews") && r.status() === 201, { timeout: 60_000 }),
        w.getByRole("button", { name: "Envoyer", exact: true }).click(),
      ]);
      await w.getByText("Suivant").waitFor();
      assert.deepEqual(statuses.slice(0, 3), [
        "POST /api/v1/reviews 403",
        "GET /api/v1/buttons/{id}/challenge 200",
        "POST /api/v1/reviews 201",
      ]);
      const review = await avis.api(`/api/v1/reviews/${(await created.json()).id}`);
      assert.equal(review.answers.satisfaction, "medium");
      assert.equal(review.excluded_reason, null);
      if (query.csp) {
        const blocked = await page.evaluate(() => window.__violations);
        assert.ok(blocked.length > 0 && blocked.every((v) => v.startsWith("worker-src")), blocked.join(", "));
      } else {
        assert.equal(workers.length, 1, "solved in a worker");
      }
      assert.deepEqual(errors, []);
      await noViolations(page, "the step after a proof of work");
      await context.close();
    });
  }

  test("a robot that fills every field is stored but not counted", async () => {
    const { page, context } = await open();
    await page.evaluate(() => {
      const trap = document.querySelector("#avis").shadowRoot.querySelector("input[name=website]");
      trap.value = "http://spam.example";
    });
    const w = widget(page);
    await w.getByText("Très bien").click();
    const id = await createdId(page, () => w.getByRole("button", { name: "Envoyer", exact: true }).click());
    const review = await avis.api(`/api/v1/reviews/${id}`);
    assert.equal(review.excluded_reason, "honeypot");
    await context.close();
  });

  test("it fits a 320 px screen, in English and in dark mode", async () => {
    const { page, context } = await open({
      query: { lang: "en" },
      context: { viewport: { width: 320, height: 640 }, colorScheme: "dark" },
    });
    await widget(page).getByText("Very well").waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320));
    const background = await widget(page).locator("section").evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(background, "rgb(22, 22, 22)");
    await noViolations(page, "dark mode");
    await page.screenshot({ path: join(shots, "widget-7-dark-320.png"), fullPage: true });
    await context.close();
  });
});

// Reviews in the back-office, in a real Chromium: a procedure's reviews filtered and searched, a
// review's page, and an exclusion, by keyboard alone; every page checked by axe-core.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, shots, startAvis, tabTo, violations } from "./harness.mjs";

const PASSWORD = "une phrase de passe assez longue";

let avis, browser, ids;

/** Sends a review as the widget does, then its comment; returns its id. */
async function review(button, satisfaction, verbatim) {
  const headers = { "Content-Type": "application/json", Origin: avis.base, "User-Agent": `citizen-${Math.random()}` };
  const created = await fetch(`${avis.base}/api/v1/reviews`, {
    method: "POST",
    headers,
    body: JSON.stringify({ button_id: button, answers: { satisfaction } }),
  });
  assert.equal(created.status, 201);
  const { id, edit_token } = await created.json();
  const patched = await fetch(`${avis.base}/api/v1/reviews/${id}`, {
    method: "PATCH",
    headers: { ...headers, Authorization: `Bearer ${edit_token}` },
    body: JSON.stringify({ answers: { comprehension: 2, contact_tried: ["phone"], contact_reached: { phone: "no" }, verbatim } }),
  });
  assert.equal(patched.status, 200);
  return id;
}

before(async () => {
  avis = await startAvis();
  browser = await launch();
  const { procedure, button } = avis.button(avis.base);
  ids = {
    procedure,
    long: await review(button, "bad", "La DÉMARCHE était bien trop longue"),
    thanks: await review(button, "good", "Parfait, merci beaucoup"),
  };
});

after(async () => {
  await browser?.close();
  avis?.stop();
});

async function signedIn(email) {
  const context = await browser.newContext({ locale: "fr-FR" });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(avis.invite(email, "--superadmin"));
  await page.getByLabel("Nom affiché").fill("Alice Modératrice");
  await page.getByLabel("Nouveau mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await page.waitForURL(`${avis.base}/admin/`);
  return { context, page };
}

describe("reviews in the back-office", () => {
  test("by keyboard alone: from the procedure to its reviews, a search, a review, its exclusion", async () => {
    const { context, page } = await signedIn("moderatrice@exemple.gouv.fr");
    await page.goto(`${avis.base}/admin/procedures/${ids.procedure}`);
    await tabTo(page, { text: "Lire les avis" });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${avis.base}/admin/procedures/${ids.procedure}/reviews`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    assert.deepEqual(await violations(page), [], "the list of reviews");
    await page.screenshot({ path: join(shots, "reviews-list.png"), fullPage: true });

    await tabTo(page, { name: "q" });
    await page.keyboard.type("démarche");
    await page.keyboard.press("Enter");
    await page.waitForURL(/q=d%C3%A9marche/);
    const rows = page.locator("table.reviews tbody tr");
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /DÉMARCHE/);
    assert.deepEqual(await violations(page), [], "a search");

    await tabTo(page, { tag: "A", backwards: false });
    await page.locator("table.reviews a").first().focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${avis.base}/admin/reviews/${ids.long}`);
    assert.deepEqual(await violations(page), [], "a review");
    await page.screenshot({ path: join(shots, "review-page.png"), fullPage: true });

    await tabTo(page, { name: "reason" });
    await page.keyboard.type("Hors sujet");
    await tabTo(page, { text: "Exclure" });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${avis.base}/admin/reviews/${ids.long}?done=excluded`);
    await page.getByText("L'avis est exclu des indicateurs.").waitFor();
    await page.getByRole("cell", { name: "Alice Modératrice" }).waitFor();
    assert.deepEqual(await violations(page), [], "an excluded review");
    await context.close();
  });

  test("a bad filter is said, and the filters keep what was typed", async () => {
    const { context, page } = await signedIn("filtreuse@exemple.gouv.fr");
    const response = await page.goto(`${avis.base}/admin/procedures/${ids.procedure}/reviews?from=2026-02-30&satisfaction=good`);
    assert.equal(response.status(), 422);
    await page.getByRole("alert").getByText("Du").waitFor();
    assert.equal(await page.getByLabel("Satisfaction").inputValue(), "good");
    assert.deepEqual(await violations(page), [], "a refused filter");
    await context.close();
  });

  test("the list reads without JavaScript", async () => {
    const context = await browser.newContext({ locale: "fr-FR", javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(avis.invite("lecteur@exemple.gouv.fr", "--superadmin"));
    await page.getByLabel("Nom affiché").fill("Bob Lecteur");
    await page.getByLabel("Nouveau mot de passe").fill(PASSWORD);
    await page.getByRole("button", { name: "Créer mon compte" }).click();
    await page.waitForURL(`${avis.base}/admin/`);
    await page.goto(`${avis.base}/admin/procedures/${ids.procedure}/reviews?satisfaction=good`);
    assert.match(await page.locator("table.reviews").innerText(), /Parfait, merci/);
    await context.close();
  });
});

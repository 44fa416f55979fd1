// The hosted questionnaire with JavaScript disabled, and its accessibility.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, shots, startAvis, violations } from "./harness.mjs";

let avis, browser;

before(async () => {
  avis = await startAvis();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  avis?.stop();
});

describe("the hosted questionnaire", () => {
  test("a citizen answers every step with JavaScript disabled", async () => {
    const { button } = avis.button("https://www.example.gouv.fr");
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR" });
    const page = await context.newPage();
    const visited = [];
    await page.goto(`${avis.base}/f/${button}`);
    visited.push(page.url());
    await page.screenshot({ path: join(shots, "hosted-1-question.png"), fullPage: true });
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.getByText("Choisissez une réponse.").first().waitFor();
    await page.getByLabel("Moyen", { exact: true }).check();
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.getByText("Étape 2 sur 4").waitFor();
    visited.push(page.url());
    const review = new URL(page.url()).pathname.split("/")[3];
    await page.screenshot({ path: join(shots, "hosted-2-clarity.png"), fullPage: true });
    await page.getByLabel("Très clair", { exact: true }).check();
    await page.getByLabel("Par téléphone avec l'administration").check();
    await page.getByLabel("Par chat avec l'administration").check();
    await page.getByRole("button", { name: "Suivant" }).click();
    await page.getByText("Étape 3 sur 4").waitFor();
    visited.push(page.url());
    await page.screenshot({ path: join(shots, "hosted-3-help.png"), fullPage: true });
    await page.locator("#reached-phone-yes").check();
    await page.locator("#quality-phone-5").check();
    await page.locator("#reached-chat-no").check();
    await page.locator("#quality-chat-2").check();
    await page.getByRole("button", { name: "Suivant" }).click();
    await page.getByText("Étape 4 sur 4").waitFor();
    visited.push(page.url());
    await page.getByLabel("Souhaitez-vous nous en dire plus ?").fill("Très bon accueil au téléphone.");
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.getByRole("heading", { name: "Merci pour votre avis" }).waitFor();
    visited.push(page.url());
    await page.screenshot({ path: join(shots, "hosted-4-thanks.png"), fullPage: true });

    const stored = await avis.api(`/api/v1/reviews/${review}`);
    assert.deepEqual(stored.answers, {
      satisfaction: "medium",
      comprehension: 5,
      contact_tried: ["phone", "chat"],
      contact_reached: { phone: "yes", chat: "no" },
      contact_satisfaction: { phone: 5 },
      verbatim: "Très bon accueil au téléphone.",
    });
    await context.close();

    // The same pages, checked for accessibility in a context that runs axe.
    const checker = await browser.newContext({ locale: "fr-FR" });
    const view = await checker.newPage();
    for (const url of visited) {
      await view.goto(url);
      assert.deepEqual(await violations(view), [], `accessibility violations on ${url}`);
    }
    await checker.close();
  });

  test("the questionnaire is in English on request and refuses a forged form", async () => {
    const { button } = avis.button("https://www.example.gouv.fr");
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "en-GB" });
    const page = await context.newPage();
    await page.goto(`${avis.base}/f/${button}`);
    await page.getByText("Overall, how did it go?").waitFor();
    await context.close();
    const forged = await fetch(`${avis.base}/f/${button}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "form_token=9999999999.forged&satisfaction=good&lang=en",
    });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /This link is no longer valid/);
  });
});

describe("the incumbent's links, with --jdma-compat", () => {
  test("a link that leads nowhere gets an accessible page in French and English", async () => {
    const compat = await startAvis({ args: ["--jdma-compat"] });
    try {
      for (const [locale, title] of [
        ["fr-FR", "Ce lien ne mène à aucun questionnaire"],
        ["en-GB", "This link leads to no questionnaire"],
      ]) {
        const context = await browser.newContext({ javaScriptEnabled: false, locale });
        const page = await context.newPage();
        const response = await page.goto(`${compat.base}/Demarches/99999?button=1`);
        assert.equal(response.status(), 404);
        await page.getByRole("heading", { name: title }).waitFor();
        await context.close();
        const checker = await browser.newContext({ locale });
        const view = await checker.newPage();
        await view.goto(`${compat.base}/Demarches/99999?button=1`);
        assert.deepEqual(await violations(view), [], `accessibility violations (${locale})`);
        await checker.close();
      }
    } finally {
      compat.stop();
    }
  });
});

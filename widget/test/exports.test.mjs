// Exports in a real Chromium: an agent starts a workbook of many reviews with the keyboard alone,
// follows its progress page (it reloads itself, no script needed) and downloads the file; the page
// is checked by axe-core while the workbook is prepared and once it is ready.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, shots, startAvis, tabTo, violations } from "./harness.mjs";

const PASSWORD = "une phrase de passe assez longue";
// Enough reviews for the workbook to take a few seconds, so that its progress shows.
const REVIEWS = "150000";

let avis, browser;

before(async () => {
  avis = await startAvis();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  avis?.stop();
});

/** Presses Tab until the focused element is a link whose address ends with `suffix`. */
async function tabToLink(page, suffix) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const href = await page.evaluate(() => document.activeElement?.getAttribute("href") ?? "");
    if (href.endsWith(suffix)) return;
  }
  throw new Error(`could not reach a link to …${suffix} with Tab`);
}

describe("exports", () => {
  test("an agent prepares a workbook and downloads it with the keyboard alone", async () => {
    avis.cli("seed", "--reviews", REVIEWS, "--procedures", "1", "--days", "60");
    const organisations = await avis.api("/api/v1/organisations");
    const seeded = organisations.find((o) => o.name.startsWith("Seed "));
    const [procedure] = await avis.api(`/api/v1/procedures?organisation=${seeded.id}`);
    const link = avis.invite("nadia.roux@exemple.gouv.fr", "--organisation", seeded.id, "--role", "member");

    const context = await browser.newContext({ locale: "fr-FR", acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));

    await page.goto(link);
    await tabTo(page, { name: "name" });
    await page.keyboard.type("Nadia Roux");
    await tabTo(page, { name: "password" });
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${avis.base}/admin/`);

    await page.goto(`${avis.base}/admin/procedures/${procedure.id}/reviews`);
    await page.getByRole("heading", { level: 2, name: "Exporter ces avis" }).waitFor();
    assert.deepEqual(await violations(page), [], "the procedure page with its export forms");
    // A member is not offered the contact addresses.
    assert.equal(await page.locator('input[name="contact_emails"]').count(), 0);
    await tabTo(page, { tag: "SELECT", name: "lang", value: "fr" });
    await tabTo(page, { tag: "BUTTON", text: "Préparer le classeur" });
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname.startsWith("/admin/exports/"));
    const exportPage = new URL(page.url()).pathname;

    // While it is prepared: a progress bar with its label, a way to stop the reloading.
    await page.locator("progress#export-progress").waitFor();
    assert.equal(await page.getByLabel("Avancement").count(), 1);
    await page.getByRole("link", { name: "Arrêter la mise à jour automatique" }).waitFor();
    assert.deepEqual(await violations(page), [], "the progress page while the workbook is prepared");
    await page.screenshot({ path: join(shots, "exports-progress.png"), fullPage: true });

    // The page reloads itself until the workbook is ready.
    await page.getByRole("link", { name: /^Télécharger le classeur/ }).waitFor({ timeout: 180_000 });
    assert.equal(new URL(page.url()).pathname, exportPage);
    assert.deepEqual(await violations(page), [], "the progress page once the workbook is ready");
    await page.screenshot({ path: join(shots, "exports-ready.png"), fullPage: true });

    await tabToLink(page, `${exportPage}/download`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    assert.match(download.suggestedFilename(), /^avis-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const file = readFileSync(await download.path());
    assert.equal(file.subarray(0, 2).toString(), "PK", "an XLSX file is a zip archive");
    assert.ok(file.length > 1_000_000, `a workbook of ${REVIEWS} reviews weighs ${file.length} bytes`);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

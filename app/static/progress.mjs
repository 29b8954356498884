// Progress pages: while a report is queued or running, fetch the page again every few
// seconds and replace only its progress region (announced politely), never the whole
// page; stops once the region says it has finished. No <meta refresh> (axe flags it).
const REGION = "[data-hfm-progress]";

async function poll(region) {
  const seconds = Number(region.dataset.hfmProgress) || 3;
  while (region.dataset.hfmFinished !== "true") {
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector(REGION);
      if (!fresh) return;
      region.innerHTML = fresh.innerHTML;
      region.dataset.hfmFinished = fresh.dataset.hfmFinished;
    } catch {
      return; // the Refresh link still works
    }
  }
}

const region = document.querySelector(REGION);
if (region) poll(region);

// The per-inspection report as PDF, in one place: GET /api/inspections/:id/report.pdf serves it and
// the evidence package seals it. Headless Chromium has no session cookie, so the stills are inlined
// as data: URLs.
import { htmlToPdf } from './pdf';
import { isPicture, renderPrintView } from './print-view';
import type { ReportService } from './report-service';

export interface ReportPdfDeps {
  reports: ReportService;
  chromiumPath: string;
  /** The authority's time zone (TIME_ZONE). */
  timeZone: string;
}

export async function renderReportPdf(deps: ReportPdfDeps, inspectionId: string): Promise<Buffer> {
  const { record, names, gaps, chat } = await deps.reports.printable(inspectionId);
  const inline = new Map<string, string>();
  for (const e of record.evidence) {
    if (!isPicture(e)) continue;
    const file = await deps.reports.evidenceFile(inspectionId, e.id);
    inline.set(e.id, `data:${file.contentType};base64,${file.bytes.toString('base64')}`);
  }
  const html = renderPrintView(record, { names, gaps, chat, timeZone: deps.timeZone, imageSrc: (e) => inline.get(e.id) ?? '' });
  return htmlToPdf(html, deps.chromiumPath);
}

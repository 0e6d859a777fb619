// Reports: dashboard totals (JSON), CSV export, and the per-inspection report as an HTML print
// view and as PDF.
import express from 'express';
import { reportQuerySchema, type EvidenceView, parseInput } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import { PRINT_VIEW_CSP, renderPrintView } from '../reports/print-view';
import { renderReportPdf } from '../reports/report-pdf';
import type { PrintQueue } from '../reports/print-queue';
import type { ReportService } from '../reports/report-service';
import { staffRoute } from '../auth/staff-route';
import type { InspectionAccess } from '../inspection/inspection-access';
import { inspectionRoute } from '../inspection/inspection-guard';
import { Logger } from '../logging/logger';

const logger = new Logger('reports');

export interface ReportRouteDeps {
  access: InspectionAccess;
  accounts: AccountService;
  reports: ReportService;
  chromiumPath: string;
  /** PDF prints: bounded Chromiums, a per-account waiting limit. */
  printQueue: PrintQueue;
  /** The authority's time zone (TIME_ZONE). */
  timeZone: string;
}

/**
 * Writes the rest of a streamed answer, waiting for the socket to drain (memory stays flat for a
 * slow reader) and stopping when the reader goes away. A failure once bytes are out cannot become
 * an error status: the connection is cut, so the file is visibly incomplete, never silently short.
 */
/** Until the socket takes more (or the reader is gone); no listener is left behind either way. */
function drained(res: express.Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function streamRest(res: express.Response, pieces: AsyncGenerator<string>): Promise<void> {
  try {
    for await (const piece of pieces) {
      if (res.destroyed) return void (await pieces.return(undefined));
      if (!res.write(piece)) await drained(res);
    }
    res.end();
  } catch (e) {
    logger.error('streamRest() | failed after the answer began, connection cut', {}, e);
    res.destroy();
  }
}

export function reportRouter(deps: ReportRouteDeps): express.Router {
  const router = express.Router();
  const authed = staffRoute(deps.accounts);
  const scoped = inspectionRoute(deps.accounts, deps.access);

  router.get(
    '/reports/savings',
    authed('report.read', async (req, res) => {
      res.json({ report: await deps.reports.dashboard(parseInput(reportQuerySchema, req.query ?? {}), req.account) });
    }),
  );

  router.get(
    '/reports/savings.csv',
    authed('report.read', async (req, res) => {
      const q = parseInput(reportQuerySchema, req.query ?? {});
      const name = `cloudship-savings-${q.from ?? 'all'}-${q.to ?? 'now'}.csv`;
      const lines = deps.reports.csv(q, req.account);
      // The header before anything is sent: a bad query or a database error is still a clean answer.
      const header = await lines.next();
      // A BOM so that spreadsheet programs read the Chinese vessel names as UTF-8.
      res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"` });
      res.write('\uFEFF' + (header.done ? '' : header.value));
      await streamRest(res, lines);
    }),
  );

  router.get(
    '/inspections/:id/report.html',
    scoped('inspection.read', async (req, res) => {
      const { record, names, gaps, chat } = await deps.reports.printable(String(req.params.id));
      const html = renderPrintView(record, { names, gaps, chat, timeZone: deps.timeZone, imageSrc: (e: EvidenceView) => e.url ?? '' });
      res.set('Content-Security-Policy', PRINT_VIEW_CSP).type('html').send(html);
    }),
  );

  router.get(
    '/inspections/:id/report.pdf',
    scoped('inspection.read', async (req, res) => {
      const id = String(req.params.id);
      // In the print queue: the report is read (and its stills loaded) only when its turn comes.
      const pdf = await deps.printQueue.run(req.account.id, () => renderReportPdf(deps, id));
      res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="inspection-${id}.pdf"` });
      res.send(pdf);
    }),
  );

  return router;
}

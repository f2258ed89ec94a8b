/**
 * How the settlement report (Klarna's CSV) is read for a selection. Rows have no ids, so a row's cursor
 * is its position in the report (`row:<index>`, base64url). Every `rows` window a selection names is
 * started with the settlement (same tick); the summary is read with the first rows window, so summary
 * and rows cost one download (a `summary` window alone reads no row). No schema types here: the types
 * are `settlement-report.ts`.
 */
import type { ReportWindow } from '../datasources/settlement-report.ts';
import { BadUserInputError } from '../errors.ts';
import type { SelectedField } from './plan/lookahead.ts';
import { parseWindow, windowArguments, type ConnectionArguments } from './plan/window.ts';

/** What a `SettlementReport` resolves from. */
export interface ReportShape {
  settlementId: string;
  /** The window the summary is read with: the rows' own, so summary and rows cost one download. */
  summaryWindow: ReportWindow;
}

export const rowCursor = (index: number) => Buffer.from(`row:${index}`).toString('base64url');

function rowIndex(cursor: string, argument: string): number {
  const match = /^row:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError(`\`${argument}\` is not a cursor of this connection.`, [{ path: argument, message: 'is not a cursor of this connection' }]);
  return Number(match[1]);
}

/** The report window the Relay arguments name, or BAD_USER_INPUT (as `parseWindow`). */
export function reportWindow(args: ConnectionArguments): ReportWindow {
  const { size: take, backward, after, before } = parseWindow(args, rowIndex);
  if (backward) return { kind: 'backward', before, take };
  return { kind: 'forward', skip: after !== undefined ? after + 1 : 0, take };
}

/** The windows a `report` selection reads: one per `rows` occurrence, or just the summary. */
export function reportWindowsOf(report: SelectedField): ReportWindow[] {
  const windows: ReportWindow[] = [];
  for (const args of windowArguments(report.children().get('rows'))) {
    try {
      windows.push(reportWindow(args));
    } catch {
      // refused by the rows field itself
    }
  }
  return windows.length ? windows : [{ kind: 'summary' }];
}

/** The report object for a settlement, remembering which window its summary shares. */
export function reportOf(settlementId: string, report: SelectedField | undefined): ReportShape {
  return { settlementId, summaryWindow: report ? reportWindowsOf(report)[0]! : { kind: 'summary' } };
}

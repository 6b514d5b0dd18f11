// Typed errors of epoch reports (node-kit's NodeError root): an input the builder cannot turn into a report.
import { NodeError } from "@maskoii/node-kit";

/** The builder's input is inconsistent (a node listed twice, a bad count, a policy that does not sum to 10,000). */
export class InvalidReportInputError extends NodeError {
  override name = "InvalidReportInputError";
  readonly field: string;
  constructor(field: string, problem: string) {
    super("InvalidReportInput", `epoch report input ${field}: ${problem}`, { details: field });
    this.field = field;
  }
}

/** No report (or payout state) is stored for what was asked. */
export class ReportNotFoundError extends NodeError {
  override name = "ReportNotFoundError";
  constructor(what: string) {
    super("ReportNotFound", `no ${what}`);
  }
}

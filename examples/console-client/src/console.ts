// What a console page does with the client: its lists, paged by cursor, and a claim that
// sends the version it read, telling a lost race (CONFLICT) from other refusals.
import { ApiError, type Execute } from "./client";
import type { ConsoleIssuesQuery } from "./generated/graphql";

export type ConsoleIssue = ConsoleIssuesQuery["issues"]["edges"][number]["node"];

// gridIssues reads every page of a grid's issues.
export async function gridIssues(execute: Execute, grid: string): Promise<ConsoleIssue[]> {
  const issues: ConsoleIssue[] = [];
  let after: string | null = null;
  do {
    const page: ConsoleIssuesQuery = await execute("ConsoleIssues", after === null ? { grid } : { grid, after });
    issues.push(...page.issues.edges.map((e) => e.node));
    after = page.issues.pageInfo.hasNextPage ? (page.issues.pageInfo.endCursor ?? null) : null;
  } while (after !== null);
  return issues;
}

// overdueTitles names the overdue issues with their handler, as the console lists them.
export function overdueTitles(issues: readonly ConsoleIssue[]): string[] {
  return issues.filter((i) => i.overdue).map((i) => `${i.title} (${i.handler?.name ?? "unassigned"})`);
}

// streetNames gives the place picker's streets by id.
export async function streetNames(execute: Execute): Promise<Map<string, string>> {
  const { streets } = await execute("Streets", {});
  return new Map(streets.edges.map((e) => [e.node.id, e.node.name]));
}

// claimLatest claims the newest published order of the feed; "taken" when someone else
// changed it since it was read.
export async function claimLatest(execute: Execute, before: string): Promise<"claimed" | "taken" | "none"> {
  const feed = await execute("OrderFeed", { before });
  const order = feed.serviceOrders.edges.map((e) => e.node).find((o) => o.state === "PUBLISHED");
  if (!order) return "none";
  try {
    const claimed = await execute("ClaimOrder", { input: { orderId: order.id, version: order.version } });
    return claimed.claimOrder.state === "CLAIMED" ? "claimed" : "taken";
  } catch (e) {
    if (e instanceof ApiError && e.code === "CONFLICT") return "taken";
    throw e;
  }
}

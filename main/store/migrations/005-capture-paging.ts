/**
 * Indexes for paging a capture of a million exchanges (issue 7): every filter and sort the exchange
 * list offers is served by an index, so a page never sorts or scans the whole capture (see
 * test/integration/scale/query-plan.test.ts, which checks EXPLAIN QUERY PLAN). OFFSET still steps
 * through the index: the last page of a million rows takes ~30 ms, the first ~0.3 ms (bench/ui.ts).
 * - "worst first" is `severity DESC, idx`: an index in that very order, alone and after a host or
 *   method filter; the ascending severity index of 002 cannot give it and goes.
 * - a scheme and a verdict filter together search one index instead of intersecting two.
 */
export default /* sql */ `
DROP INDEX exchanges_severity;
CREATE INDEX exchanges_worst_first ON exchanges (capture_id, severity DESC, idx);
CREATE INDEX exchanges_host_worst_first ON exchanges (capture_id, host, severity DESC, idx);
CREATE INDEX exchanges_method_worst_first ON exchanges (capture_id, method, severity DESC, idx);
CREATE INDEX findings_scheme_verdict ON findings (capture_id, scheme, verdict, exchange_idx);
`;

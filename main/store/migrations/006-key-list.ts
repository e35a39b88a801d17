/**
 * The key list's order, `created_at, rowid`, read off an index instead of sorting every key (issue 7:
 * `signet keys list` on 10 000 keys). An index entry ends with the rowid, so this one gives both
 * columns; test/integration/scale/key-list-plan.test.ts checks the plan.
 */
export default /* sql */ `
CREATE INDEX keys_created ON keys (created_at);
`;

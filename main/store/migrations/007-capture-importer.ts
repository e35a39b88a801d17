/**
 * The process that is importing a capture. An unfinished import is removed when the store is opened,
 * but only once that process is gone: the console importing a big capture while `signet keys list`
 * runs in a terminal is two processes on one store, and the second must not take the first's import
 * for a crashed one. Rows from before this column (NULL) are taken as crashed.
 */
export default /* sql */ `
ALTER TABLE captures ADD COLUMN importer_pid INTEGER;
`;

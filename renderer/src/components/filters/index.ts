export { default as FilterBar } from './FilterBar.svelte';
export { default as FilterSelect } from './FilterSelect.svelte';

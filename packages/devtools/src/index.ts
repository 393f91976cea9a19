/** @weft/devtools: the devtools panel (filled in by issue 8). */
export const DEVTOOLS_PLACEHOLDER = true;

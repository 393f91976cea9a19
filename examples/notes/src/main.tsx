/** The notes example (filled in by issue 8). */
const root = document.getElementById('root');
if (root !== null) root.textContent = 'Weft notes';

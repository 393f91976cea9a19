/** The status page at `/`: rooms, peers, transports and traffic, live over `/events` (SSE). */
export const STATUS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weft relay</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}code{font-size:12px}</style>
</head><body>
<h1>Weft relay</h1>
<p id="summary">connecting…</p>
<table><thead><tr><th>database</th><th>peer</th><th>transport</th><th>state</th><th>bytes in</th><th>bytes out</th><th>lag</th></tr></thead><tbody id="peers"></tbody></table>
<script>
const es = new EventSource('/events');
es.onmessage = (e) => {
  const s = JSON.parse(e.data);
  document.getElementById('summary').textContent =
    s.connections + ' connections · ' + s.rooms.length + ' rooms · ' + s.databases + ' databases · ' + s.changesIn + ' changes in · ' + s.changesOut + ' out';
  const rows = [];
  for (const r of s.rooms) for (const p of r.peers)
    rows.push('<tr><td><code>' + r.db.slice(0, 16) + '…</code></td><td><code>' + p.author.slice(0, 16) + '…</code></td><td>' + p.transport + '</td><td>' + p.state + '</td><td>' + p.bytesIn + '</td><td>' + p.bytesOut + '</td><td>' + p.lag + '</td></tr>');
  document.getElementById('peers').innerHTML = rows.join('');
};
</script>
</body></html>
`;

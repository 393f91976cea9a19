/** Counters for `/metrics` (Prometheus text format) and the status page. */

/** The relay's counters. */
export class RelayMetrics {
  connectionsTotal = 0;
  authFailures = 0;
  closedOverCapacity = 0;
  closedRateLimit = 0;
  closedTooBig = 0;
  closedPreAuth = 0;
  closedSlowReader = 0;
  framesIn = 0;
  bytesIn = 0;
  bytesOut = 0;
  changesIn = 0;
  changesOut = 0;
  changesRejected = 0;
  httpRequests = 0;

  /** Prometheus exposition of the counters plus the gauges given. */
  render(gauges: {
    connections: number;
    rooms: number;
    databases: number;
    stored: number;
    syncsActive?: number;
    syncsQueued?: number;
  }): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number): void => {
      lines.push(
        `# HELP weft_relay_${name} ${help}`,
        `# TYPE weft_relay_${name} ${type}`,
        `weft_relay_${name} ${value}`,
      );
    };
    metric('connections', 'gauge', 'Open WebSocket connections.', gauges.connections);
    metric('rooms', 'gauge', 'Databases with at least one connected peer.', gauges.rooms);
    metric('databases', 'gauge', 'Databases open in this process.', gauges.databases);
    metric('changes_stored', 'gauge', 'Changes stored in the open databases.', gauges.stored);
    metric('syncs_active', 'gauge', 'Sync sessions holding an admission slot.', gauges.syncsActive ?? 0);
    metric('syncs_queued', 'gauge', 'Connections waiting for an admission slot.', gauges.syncsQueued ?? 0);
    metric('connections_total', 'counter', 'WebSocket connections accepted.', this.connectionsTotal);
    metric('auth_failures_total', 'counter', 'Failed challenge answers.', this.authFailures);
    metric('closed_over_capacity_total', 'counter', 'Connections closed with 1013.', this.closedOverCapacity);
    metric('closed_rate_limit_total', 'counter', 'Connections closed for exceeding rate limits.', this.closedRateLimit);
    metric('closed_too_big_total', 'counter', 'Connections closed for oversized frames.', this.closedTooBig);
    metric('closed_pre_auth_total', 'counter', 'Connections closed for pre-auth misbehaviour.', this.closedPreAuth);
    metric('closed_slow_reader_total', 'counter', 'Connections closed for unread output.', this.closedSlowReader);
    metric('frames_in_total', 'counter', 'WebSocket frames received.', this.framesIn);
    metric('bytes_in_total', 'counter', 'Bytes received.', this.bytesIn);
    metric('bytes_out_total', 'counter', 'Bytes sent.', this.bytesOut);
    metric('changes_in_total', 'counter', 'Changes received (a re-sent change counts again).', this.changesIn);
    metric('changes_out_total', 'counter', 'Changes sent to peers.', this.changesOut);
    metric(
      'changes_rejected_total',
      'counter',
      'Changes refused (bad signature, hash, chain...).',
      this.changesRejected,
    );
    metric('http_requests_total', 'counter', 'HTTP requests served.', this.httpRequests);
    return `${lines.join('\n')}\n`;
  }
}

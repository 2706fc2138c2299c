package sftpd

import "github.com/prometheus/client_golang/prometheus"

// metrics are the server's Prometheus collectors, named as the FTP
// server's with sftp in place of ftp.
type metrics struct {
	connections    prometheus.Gauge
	sessions       prometheus.Gauge
	logins         *prometheus.CounterVec
	refused        *prometheus.CounterVec
	bytesIn        prometheus.Counter
	bytesOut       prometheus.Counter
	bans           prometheus.Counter
	transferErrors prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ftpanel_sftp_connections",
			Help: "Open SSH connections to the SFTP server, logged in or not."}),
		sessions: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ftpanel_sftp_sessions",
			Help: "Logged-in SFTP sessions."}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ftpanel_sftp_logins_total",
			Help: "SFTP logins by method and result (password or publickey; ok or failed)."}, []string{"method", "result"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ftpanel_sftp_refused_connections_total",
			Help: "SFTP connections refused at connect, by reason (banned, max_clients, max_clients_per_ip, shutdown)."},
			[]string{"reason"}),
		bytesIn: prometheus.NewCounter(prometheus.CounterOpts{Name: "ftpanel_sftp_bytes_in_total",
			Help: "Bytes received in SFTP uploads."}),
		bytesOut: prometheus.NewCounter(prometheus.CounterOpts{Name: "ftpanel_sftp_bytes_out_total",
			Help: "Bytes sent in SFTP downloads."}),
		bans: prometheus.NewCounter(prometheus.CounterOpts{Name: "ftpanel_sftp_bans_total",
			Help: "Addresses banned after failed SFTP logins."}),
		transferErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "ftpanel_sftp_transfer_errors_total",
			Help: "SFTP transfers that did not complete (aborted, over quota, I/O error)."}),
	}
	for _, method := range []string{"password", "publickey"} {
		m.logins.WithLabelValues(method, "ok")
		m.logins.WithLabelValues(method, "failed")
	}
	for _, r := range []string{"banned", "max_clients", "max_clients_per_ip", "shutdown"} {
		m.refused.WithLabelValues(r)
	}
	return m
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.connections, m.sessions, m.logins, m.refused, m.bytesIn, m.bytesOut,
		m.bans, m.transferErrors}
}

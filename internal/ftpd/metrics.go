package ftpd

import "github.com/prometheus/client_golang/prometheus"

// metrics are the server's Prometheus collectors.
type metrics struct {
	connections    prometheus.Gauge
	sessions       prometheus.Gauge
	logins         *prometheus.CounterVec
	loginOK        prometheus.Counter
	loginFailed    prometheus.Counter
	refused        *prometheus.CounterVec
	bytesIn        prometheus.Counter
	bytesOut       prometheus.Counter
	bans           prometheus.Counter
	transferErrors prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ftpanel_ftp_connections",
			Help: "Open FTP control connections, logged in or not."}),
		sessions: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ftpanel_ftp_sessions",
			Help: "Logged-in FTP sessions."}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ftpanel_ftp_logins_total",
			Help: "FTP login attempts by result (ok, failed)."}, []string{"result"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ftpanel_ftp_refused_connections_total",
			Help: "FTP connections refused at connect, by reason (banned, max_clients, max_clients_per_ip, shutdown)."},
			[]string{"reason"}),
		bytesIn: prometheus.NewCounter(prometheus.CounterOpts{Name: "ftpanel_ftp_bytes_in_total",
			Help: "Bytes received in FTP uploads."}),
		bytesOut: prometheus.NewCounter(prometheus.CounterOpts{Name: "ftpanel_ftp_bytes_out_total",
			Help: "Bytes sent in FTP downloads."}),
		bans: prometheus.NewCounter(prometheus.CounterOpts{Name: "ftpanel_ftp_bans_total",
			Help: "Addresses banned by the defender."}),
		transferErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "ftpanel_ftp_transfer_errors_total",
			Help: "FTP transfers that did not complete (aborted, over quota, I/O error)."}),
	}
	m.loginOK = m.logins.WithLabelValues("ok")
	m.loginFailed = m.logins.WithLabelValues("failed")
	for _, r := range []string{"banned", "max_clients", "max_clients_per_ip", "shutdown"} {
		m.refused.WithLabelValues(r)
	}
	return m
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.connections, m.sessions, m.logins, m.refused, m.bytesIn, m.bytesOut,
		m.bans, m.transferErrors}
}

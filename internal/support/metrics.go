package support

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	deflectionsDesc = prometheus.NewDesc("vigie_support_deflections_total",
		"Customers shown a known incident or maintenance on their asset who followed it instead of writing a ticket.", nil, nil)
	sentAnywayDesc = prometheus.NewDesc("vigie_support_sent_anyway_total",
		"Tickets sent although the form showed a known incident or maintenance on their asset.", nil, nil)
)

// Collector returns the deflection counters, read from the database at
// each scrape so that every replica tells the same figures.
func (s *Store) Collector() prometheus.Collector { return collector{s} }

type collector struct{ s *Store }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- deflectionsDesc
	ch <- sentAnywayDesc
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	followed, sent, err := c.s.Deflections(ctx)
	if err != nil {
		// A scrape without the counters beats a failed one: the rest of
		// the process's metrics still tell.
		c.s.o.Logger.Warn("support: count deflections for the metrics", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(deflectionsDesc, prometheus.CounterValue, float64(followed))
	ch <- prometheus.MustNewConstMetric(sentAnywayDesc, prometheus.CounterValue, float64(sent))
}

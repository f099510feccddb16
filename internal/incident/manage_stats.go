package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Figure sums up durations: how many, their mean and their median.
type Figure struct {
	N      int
	Mean   time.Duration
	Median time.Duration
}

// MarshalJSON writes the durations in seconds.
func (f Figure) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		N      int     `json:"n"`
		Mean   float64 `json:"mean_seconds"`
		Median float64 `json:"median_seconds"`
	}{f.N, f.Mean.Seconds(), f.Median.Seconds()})
}

func figureOf(ds []time.Duration) Figure {
	if len(ds) == 0 {
		return Figure{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	median := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		median = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	return Figure{N: len(ds), Mean: sum / time.Duration(len(ds)), Median: median}
}

// Period holds the response figures of the incidents opened in a period:
// time to detect over all of them, to the public word over those settled,
// to acknowledge over those acknowledged, to resolve over those resolved;
// and how many a customer told us of first (the team wants none).
type Period struct {
	Count             int    `json:"count"`
	CustomerFirst     int    `json:"customer_first"`
	TimeToDetect      Figure `json:"time_to_detect"`
	TimeToPublicWord  Figure `json:"time_to_public_word"`
	TimeToAcknowledge Figure `json:"time_to_acknowledge"`
	TimeToResolve     Figure `json:"time_to_resolve"`
}

// MonthStats are the figures of one calendar month (UTC), "2026-11".
type MonthStats struct {
	Month string `json:"month"`
	Period
}

// ResponseStats are the response figures of the incidents opened (detected) in
// [From, To), merged incidents left out, overall and per month.
type ResponseStats struct {
	From   time.Time    `json:"from"`
	To     time.Time    `json:"to"`
	Months []MonthStats `json:"months"`
	Period
}

type durations struct {
	detect, public, ack, resolve []time.Duration
	customerFirst                int
}

func (d *durations) add(inc *Incident) {
	d.detect = append(d.detect, inc.TimeToDetect())
	if inc.CustomerFirst() {
		d.customerFirst++
	}
	if inc.SettledAt != nil {
		d.public = append(d.public, inc.TimeToPublicWord())
	}
	if inc.AcknowledgedAt != nil {
		d.ack = append(d.ack, inc.TimeToAcknowledge())
	}
	if inc.ResolvedAt != nil {
		d.resolve = append(d.resolve, inc.TimeToResolve())
	}
}

func (d *durations) period() Period {
	return Period{Count: len(d.detect), CustomerFirst: d.customerFirst, TimeToDetect: figureOf(d.detect), TimeToPublicWord: figureOf(d.public),
		TimeToAcknowledge: figureOf(d.ack), TimeToResolve: figureOf(d.resolve)}
}

// Stats computes the response figures of the incidents opened in [from, to).
func Stats(ctx context.Context, st *Store, from, to time.Time) (ResponseStats, error) {
	if !from.Before(to) {
		return ResponseStats{}, &EditError{Field: "to", Message: "want a time after from"}
	}
	// Every incident, not List's latest 1000: incidents are few, and the
	// figures are computed here rather than in two SQL dialects.
	list, err := st.query(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE status <> 'merged' ORDER BY id`)
	if err != nil {
		return ResponseStats{}, fmt.Errorf("incident stats: %w", err)
	}
	out := ResponseStats{From: from.UTC(), To: to.UTC(), Months: []MonthStats{}}
	var all durations
	months := map[string]*durations{}
	var keys []string
	for i := range list {
		inc := &list[i]
		if inc.DetectedAt.Before(from) || !inc.DetectedAt.Before(to) {
			continue
		}
		all.add(inc)
		m := inc.DetectedAt.UTC().Format("2006-01")
		if months[m] == nil {
			months[m] = &durations{}
			keys = append(keys, m)
		}
		months[m].add(inc)
	}
	out.Period = all.period()
	slices.Sort(keys)
	for _, m := range keys {
		out.Months = append(out.Months, MonthStats{Month: m, Period: months[m].period()})
	}
	return out, nil
}

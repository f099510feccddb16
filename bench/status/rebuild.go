package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigie/vigie/bench/internal/stats"
	"slices"
	"time"

	"github.com/vigie/vigie/internal/app"
)

// rebuilds is how many changes the rebuild measure makes.
const rebuilds = 5

// buildTimes are the times to build the public side at this size, on a
// server that serves nothing and runs no background work, so that no
// refresh of its own races the measured one.
type buildTimes struct {
	loadGraph time.Duration // once, as a server does when it starts
	cold      time.Duration // the first Refresh: no previous input
	// changed are the Refreshes after each change to the public update:
	// fingerprint, load, build, render and seal of everyone's site.
	changed   []time.Duration
	unchanged time.Duration // a Refresh that finds nothing changed
	files     int
	bytes     int // of the bodies, uncompressed
	gzipBytes int
	// The on-demand build of a customer's site after each change (the
	// first request), and a request that finds it built.
	customers []customerBuild
}

// customerBuild is the times to build one customer's site.
type customerBuild struct {
	id     string
	sites  int
	first  []time.Duration
	cached time.Duration
}

// measureBuilds opens the stopped server's database again and times the
// publisher's work: a Refresh after each of a few edits of the public
// update, and each customer's site built on first request after it.
func measureBuilds(ctx context.Context, h *host, st *incidentState) (*buildTimes, error) {
	a, err := app.Open(ctx, app.Config{DB: h.dsn, Logger: h.log, PublicURL: h.base, Version: "bench"})
	if err != nil {
		return nil, err
	}
	defer func() { _ = a.Close() }()
	bt := &buildTimes{}
	start := time.Now()
	if err := a.Inventory.LoadGraph(ctx); err != nil {
		return nil, err
	}
	bt.loadGraph = time.Since(start)
	if bt.cold, err = timeRefresh(ctx, a); err != nil {
		return nil, err
	}
	site := a.Status.Site()
	bt.files = len(site.Files)
	for _, f := range site.Files {
		bt.bytes += len(f.Body)
		bt.gzipBytes += len(f.Gzip)
	}
	largest, n := largestCustomer(h.inv)
	token, err := a.StatusTokens.Issue(ctx, largest)
	if err != nil {
		return nil, err
	}
	bt.customers = []customerBuild{{id: st.customer, sites: st.sites}, {id: largest, sites: n}}
	tokens := []string{st.token, token}
	// Reads the new token; nothing public changed, so nothing is rebuilt.
	if bt.unchanged, err = timeRefresh(ctx, a); err != nil {
		return nil, err
	}
	for i := range rebuilds {
		before := a.Status.Site().Version
		fr := fmt.Sprintf("Une alimentation a lâché (%s) ; remplacement en cours, point %d.", marker, i+1)
		en := fmt.Sprintf("A power supply failed (%s); replacing it, update %d.", marker, i+1)
		if _, err := a.Incidents.EditPublicUpdate(ctx, st.id, st.updateID, fr, en, time.Now()); err != nil {
			return nil, err
		}
		took, err := timeRefresh(ctx, a)
		if err != nil {
			return nil, err
		}
		if a.Status.Site().Version == before {
			return nil, errors.New("an edit of the public update rebuilt nothing")
		}
		bt.changed = append(bt.changed, took)
		for j, tok := range tokens {
			took, err := timeCustomer(a, tok)
			if err != nil {
				return nil, err
			}
			bt.customers[j].first = append(bt.customers[j].first, took)
		}
	}
	for j, tok := range tokens {
		if bt.customers[j].cached, err = timeCustomer(a, tok); err != nil {
			return nil, err
		}
	}
	return bt, nil
}

func timeRefresh(ctx context.Context, a *app.App) (time.Duration, error) {
	start := time.Now()
	err := a.Status.Refresh(ctx)
	return time.Since(start), err
}

func timeCustomer(a *app.App, token string) (time.Duration, error) {
	start := time.Now()
	// A feed reader's first request after a change: the customer's page
	// is built and its feeds rendered.
	_, _, ok, err := a.Status.CustomerFile(context.Background(), token, "feed.atom")
	took := time.Since(start)
	if err == nil && !ok {
		err = errors.New("a customer's token is unknown to the publisher")
	}
	return took, err
}

// median returns the median of ds (the lower one of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return stats.Percentile(s, 0.5)
}

package main

import (
	"context"
	"errors"
	"github.com/vigie/vigie/bench/internal/seed"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/vigie/vigie/bench/internal/usage"
	"github.com/vigie/vigie/internal/inventory"
)

// target is one URL the load generator measures.
type target struct {
	name, label string
	// static targets are the baselines, served by http.FileServer; extra
	// ones are not part of the issue's targets.
	static, extra bool
	url           func(h *host, st *incidentState) string
}

// targets are every target, in the default order: the baseline first.
var targets = []target{
	{name: "static", label: "static file, size of the home page (http.FileServer)", static: true,
		url: func(h *host, _ *incidentState) string { return h.base + staticPrefix + "static.html" }},
	{name: "home", label: "`/` (home page, French)",
		url: func(h *host, _ *incidentState) string { return h.base + "/" }},
	{name: "summary", label: "`/api/v2/summary.json`",
		url: func(h *host, _ *incidentState) string { return h.base + "/api/v2/summary.json" }},
	{name: "feed", label: "`/c/{token}/feed.atom` (a customer's feed)",
		url: func(_ *host, st *incidentState) string { return st.customerURL + "feed.atom" }},
	{name: "static-gz", label: "static file, size of the home page's gzip (http.FileServer)", static: true,
		url: func(h *host, _ *incidentState) string { return h.base + staticPrefix + "static-gz.html" }},
	{name: "feeds", label: "`/c/{token}/feed.atom` of every customer in turn", extra: true,
		url: func(_ *host, st *incidentState) string { return "@" + st.feedsFile }},
}

func targetNames() []string {
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.name
	}
	return names
}

func targetByName(name string) (target, bool) {
	for _, t := range targets {
		if t.name == name {
			return t, true
		}
	}
	return target{}, false
}

// window is one measured period: quiet (no HTTP load) or one target's
// load.
type window struct {
	name   string
	target *target
	// recovery windows are quiet ones after an extra target.
	recovery bool
	load     *loadResult
	probe    probeReading // what happened in the window
	took     time.Duration
	// CPU seconds of the server process (Vigie and the static files) and
	// of the farm over the window.
	serverCPU, farmCPU float64
}

// bench runs the whole benchmark; the report holds what was measured
// even when a later step fails.
func bench(ctx context.Context, cfg config) (rep *report, err error) {
	rep = newReport(ctx, cfg)
	h, err := startHost(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		h.close()
		if !cfg.keep {
			_ = os.RemoveAll(h.dir)
		} else {
			progress("kept %s", h.dir)
		}
		rep.end()
	}()
	rep.host = describeHost(h, cfg)
	progress("serving on %s; waiting for every one of %d checks to have a state", h.base, h.checks)
	if err := seed.WaitChecked(ctx, h.app, h.checks, cfg.interval+30*time.Second); err != nil {
		return rep, err
	}
	progress("opening an incident on %s", incidentRoot)
	st, err := openIncident(ctx, h)
	if err != nil {
		return rep, err
	}
	rep.incident = st
	if slices.Contains(cfg.targets, "feeds") {
		if err := issueEveryURL(ctx, h, st); err != nil {
			return rep, err
		}
	}
	if err := writeStaticFiles(h, rep); err != nil {
		return rep, err
	}
	if err := measureWindows(ctx, h, st, cfg, rep); err != nil {
		return rep, err
	}
	progress("stopping the server; timing the publisher's builds")
	if err := h.stopServing(); err != nil {
		return rep, err
	}
	rep.builds, err = measureBuilds(ctx, h, st)
	return rep, err
}

// writeStaticFiles writes the baselines: the rendered home page itself,
// and the same cut to the size of its gzip body.
func writeStaticFiles(h *host, rep *report) error {
	site := h.app.Status.Site()
	if site == nil || site.Files[""] == nil {
		return errors.New("no home page rendered")
	}
	home := site.Files[""]
	rep.homeBytes, rep.homeGzip = len(home.Body), len(home.Gzip)
	if err := h.writeStatic("static.html", home.Body); err != nil {
		return err
	}
	return h.writeStatic("static-gz.html", home.Body[:len(home.Gzip)])
}

// measureWindows measures a quiet window, each target's load, and a quiet
// window again; then each extra target, each followed by a quiet window
// that shows how the probe recovers from it.
func measureWindows(ctx context.Context, h *host, st *incidentState, cfg config, rep *report) error {
	quiet := func(name string, recovery bool) error {
		progress("quiet window (%s): %s without HTTP load", name, cfg.duration)
		w, err := measure(ctx, h, func() (*loadResult, error) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(cfg.duration):
				return nil, nil
			}
		})
		w.name, w.recovery = name, recovery
		rep.windows = append(rep.windows, w)
		return err
	}
	load := func(t target) error {
		url := t.url(h, st)
		progress("loading %s with %d clients for %s", strings.TrimPrefix(url, "@"), cfg.clients, cfg.duration)
		stop, err := startProfile(cfg.cpuprofile, t.name)
		if err != nil {
			return err
		}
		w, err := measure(ctx, h, func() (*loadResult, error) {
			res, err := runLoad(ctx, cfg, url)
			return &res, err
		})
		err = errors.Join(err, stop())
		w.name, w.target = t.name, &t
		rep.windows = append(rep.windows, w)
		return err
	}
	if err := quiet("quiet, before", false); err != nil {
		return err
	}
	var extras []target
	for _, name := range cfg.targets {
		t, _ := targetByName(name)
		if t.extra {
			extras = append(extras, t)
			continue
		}
		if err := load(t); err != nil {
			return err
		}
	}
	if err := quiet("quiet, after", false); err != nil {
		return err
	}
	for _, t := range extras {
		if err := load(t); err != nil {
			return err
		}
		if err := quiet("quiet, after "+t.name, true); err != nil {
			return err
		}
	}
	return nil
}

// startProfile starts a CPU profile of this process into dir/name.pprof
// when dir is set, and returns what stops it.
func startProfile(dir, name string) (stop func() error, err error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// measure runs fn and reads the probe and the CPU times around it.
func measure(ctx context.Context, h *host, fn func() (*loadResult, error)) (window, error) {
	before, err := readProbe(h.app.Metrics)
	if err != nil {
		return window{}, err
	}
	cpu0, farm0, start := selfCPU(), h.farm.cpu(), time.Now()
	res, err := fn()
	w := window{load: res, took: time.Since(start), serverCPU: selfCPU() - cpu0, farmCPU: h.farm.cpu() - farm0}
	after, rerr := readProbe(h.app.Metrics)
	w.probe = after.since(before)
	return w, errors.Join(err, rerr, ctx.Err())
}

// describeHost says what was built.
func describeHost(h *host, cfg config) hostInfo {
	info := hostInfo{sites: cfg.sites, customers: len(h.inv.Customers), assets: len(h.inv.Assets), checks: h.checks,
		components: len(h.inv.Components), imported: h.imported, farmStart: h.farm.took}
	for i := range h.inv.Assets {
		if h.inv.Assets[i].Kind == inventory.KindSite {
			info.siteChecks++
		}
	}
	return info
}

// selfCPU is the CPU time this process has used, in seconds, or -1.
func selfCPU() float64 {
	cpu, _ := usage.Self()
	return cpu
}

package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/simulate"
)

// Step is one step of the script: when (since the start, at the demo's
// speed) and what.
type Step struct {
	At   time.Duration
	Text string
}

// The moments of the script at speed 1.
const (
	atSiteFails  = time.Minute
	atHVFails    = 3 * time.Minute
	atMaintPlan  = 5 * time.Minute
	atRecovery   = 7 * time.Minute
	maintenanceZ = "Europe/Paris"
)

// plan returns the script as it is announced at start.
func (d *Demo) plan() []Step {
	s := func(at time.Duration, format string, args ...any) Step {
		return Step{At: d.t.scaled(at), Text: fmt.Sprintf(format, args...)}
	}
	h := d.Host
	return []Step{
		s(atSiteFails, "site %s of customer %s answers 500: a site problem, told to that customer only", h.BrokenSite, h.CustomerOfScript),
		s(atHVFails, "hypervisor %s fails (%d VMs, %d sites, %d customers): one incident, the customers told, the status page and their areas updated, a ticket deflected",
			h.Failing, h.FailingVMs, h.FailingSites, h.FailingCustomers),
		s(atMaintPlan, "a maintenance of %s is planned for the night, its notices sent", h.Failing),
		s(atRecovery, "%s recovers; the incident resolves and its post-mortem is drafted", h.Failing),
	}
}

// runScript plays the script: each step at its moment, or once what it
// needs has happened, whichever is later.
func (d *Demo) runScript(ctx context.Context) error {
	start := time.Now()
	sc := &script{d: d, ctx: ctx, start: start}
	sc.tell("the host is up: %d customers, %d sites on %d VMs and %d hypervisors, checked from %s and %s",
		d.Host.Customers, d.Host.Sites, d.Host.VMs, d.Host.Hypervisors, localLocation, remoteLocation)
	for _, step := range []func() error{sc.siteFails, sc.hypervisorFails, sc.staffResponds, sc.ticketDeflected,
		sc.maintenancePlanned, sc.recovery, sc.postMortem} {
		if err := step(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// Vigie itself goes on: what the newcomer opened stays open.
			sc.tell("the script stopped: %v; Vigie goes on running until you stop it (Ctrl-C)", err)
			return nil
		}
	}
	sc.tell("the script is over; Vigie goes on watching the host until you stop it (Ctrl-C)")
	return nil
}

// script is the state of a running script.
type script struct {
	d     *Demo
	ctx   context.Context
	start time.Time
	// siteProblem and outage are the incidents the script caused;
	// siteSeen gets nil once the site problem is seen (or why not).
	siteProblem, outage incident.Incident
	siteSeen            chan error
}

func (s *script) tell(format string, args ...any) {
	step := Step{At: time.Since(s.start), Text: fmt.Sprintf(format, args...)}
	s.d.opts.Logger.Info("demo: "+step.Text, "at", step.At.Round(time.Second))
	if s.d.opts.Step != nil {
		s.d.opts.Step(step)
	}
}

// at waits until the moment at (given at speed 1) of the script.
func (s *script) at(at time.Duration) error {
	wait := time.Until(s.start.Add(s.d.t.scaled(at)))
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-s.ctx.Done():
		return s.ctx.Err()
	case <-t.C:
		return nil
	}
}

// until polls cond until it holds, saying once what it waits for if that
// takes long.
func (s *script) until(what string, cond func() (bool, error)) error {
	tick := time.NewTicker(s.d.t.sweep)
	defer tick.Stop()
	slow := time.Now().Add(max(time.Minute, s.d.t.scaled(3*time.Minute)))
	told := false
	for {
		ok, err := cond()
		if err != nil {
			s.d.opts.Logger.Warn("demo: "+what, "err", err)
		}
		if ok {
			return nil
		}
		if !told && time.Now().After(slow) {
			s.tell("still waiting for %s", what)
			told = true
		}
		select {
		case <-s.ctx.Done():
			return s.ctx.Err()
		case <-tick.C:
		}
	}
}

// open finds an open incident that matches.
func (s *script) open(match func(*incident.Incident) bool) (incident.Incident, bool, error) {
	list, err := s.d.App.Incidents.List(s.ctx, "open", 0)
	if err != nil {
		return incident.Incident{}, false, err
	}
	for _, inc := range list {
		if match(&inc) {
			return inc, true, nil
		}
	}
	return incident.Incident{}, false, nil
}

func (s *script) siteFails() error {
	h := s.d.Host
	if err := s.at(atSiteFails); err != nil {
		return err
	}
	if err := s.d.farm.SiteStatus(h.BrokenSite, 500); err != nil {
		return fmt.Errorf("demo: break %s: %w", h.BrokenSite, err)
	}
	s.tell("site %s of customer %s now answers 500", h.BrokenSite, h.CustomerOfScript)
	// The site problem is told when seen; the script goes on meanwhile.
	s.siteSeen = make(chan error, 1)
	go func() {
		err := s.until("the site problem on "+h.BrokenSite, func() (bool, error) {
			inc, ok, err := s.open(func(inc *incident.Incident) bool {
				return inc.Cause == incident.CauseSiteProblem && slices.Contains(inc.RootAssets, h.BrokenSite)
			})
			s.siteProblem = inc
			return ok, err
		})
		if err == nil {
			s.tell("site problem #%d on %s: told privately to customer %s by e-mail and in their area; nothing on the public status page",
				s.siteProblem.ID, h.BrokenSite, h.CustomerOfScript)
		}
		s.siteSeen <- err
	}()
	return nil
}

func (s *script) hypervisorFails() error {
	h := s.d.Host
	if err := s.at(atHVFails); err != nil {
		return err
	}
	if err := s.d.farm.StopHypervisor(h.Failing); err != nil {
		return fmt.Errorf("demo: stop %s: %w", h.Failing, err)
	}
	s.tell("hypervisor %s has failed: its %d VMs and %d sites stop answering", h.Failing, h.FailingVMs, h.FailingSites)
	err := s.until("the incident on "+h.Failing, func() (bool, error) {
		inc, ok, err := s.open(func(inc *incident.Incident) bool {
			return slices.Equal(inc.RootAssets, []string{h.Failing}) && inc.Settled()
		})
		s.outage = inc
		return ok, err
	})
	if err != nil {
		return err
	}
	s.tell("incident #%d on %s: %d sites of %d customers in one incident; the status page and their areas show it, the customers are being told by e-mail",
		s.outage.ID, h.Failing, s.outage.Impact.Sites, len(s.outage.Impact.Customers))
	return nil
}

// staffResponds takes the incident as its lead and posts a public update.
func (s *script) staffResponds() error {
	id := strconv.FormatInt(s.outage.ID, 10)
	lead := staffEmail
	if err := s.d.api.do(s.ctx, "PATCH", "/api/v1/incidents/"+id,
		incident.EditRequest{Acknowledge: true, Lead: &lead, Comms: &lead}, nil); err != nil {
		return err
	}
	err := s.d.api.do(s.ctx, "POST", "/api/v1/incidents/"+id+"/updates", map[string]string{"status": "identified",
		"message_fr": "L'hyperviseur " + s.d.Host.Failing + " ne répond plus ; nous intervenons sur la machine. Les sites qu'il héberge sont indisponibles.",
		"message_en": "Hypervisor " + s.d.Host.Failing + " stopped answering; we are working on the machine. The sites it hosts are unavailable."}, nil)
	if err != nil {
		return err
	}
	s.tell("%s took incident #%d and posted a public update (identified), in French and English", staffEmail, s.outage.ID)
	return nil
}

// ticketDeflected has the demo customer start a ticket about their site
// on the failing hypervisor: shown the incident, they follow it instead.
func (s *script) ticketDeflected() error {
	h := s.d.Host
	known, err := s.d.App.Support.Known(s.ctx, h.CustomerOfScript, h.DeflectedSite)
	if err != nil {
		return fmt.Errorf("demo: what is known on %s: %w", h.DeflectedSite, err)
	}
	if len(known.Incidents) == 0 {
		return fmt.Errorf("demo: the ticket form would show nothing known on %s", h.DeflectedSite)
	}
	if err := s.d.App.Support.Followed(s.ctx, h.CustomerOfScript, h.DeflectedSite); err != nil {
		return fmt.Errorf("demo: follow the incident: %w", err)
	}
	s.tell("customer %s began a ticket about %s, was shown incident #%d, and followed it instead of writing: one ticket deflected",
		h.CustomerOfScript, h.DeflectedSite, known.Incidents[0].ID)
	return nil
}

// maintenancePlanned plans tonight's window on the failing hypervisor,
// from 02:00 to 04:00 in Paris: its notices go out at once.
func (s *script) maintenancePlanned() error {
	if err := s.at(atMaintPlan); err != nil {
		return err
	}
	zone, err := time.LoadLocation(maintenanceZ)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	start := nextNight(time.Now(), zone)
	h := s.d.Host
	var win struct{ ID string }
	err = s.d.api.do(s.ctx, "POST", "/api/v1/maintenance", map[string]any{
		"title": "Remplacement de l'alimentation de " + h.Failing, "title_en": "Replacing the power supply of " + h.Failing,
		"description":    "Les sites hébergés sur " + h.Failing + " seront indisponibles quelques minutes pendant la fenêtre.",
		"description_en": "The sites hosted on " + h.Failing + " will be unavailable for a few minutes during the window.",
		"assets":         []string{h.Failing}, "zone": maintenanceZ,
		"start": start.Format("2006-01-02T15:04"), "end": start.Add(2 * time.Hour).Format("2006-01-02T15:04"),
	}, &win)
	if err != nil {
		return err
	}
	s.tell("maintenance m%s planned on %s for %s 02:00–04:00 (Paris time): its notices go to the customers it touches",
		win.ID, h.Failing, start.Format("Mon 2 Jan"))
	return nil
}

// nextNight returns the next 02:00 in zone at least an hour after now.
func nextNight(now time.Time, zone *time.Location) time.Time {
	n := now.In(zone)
	t := time.Date(n.Year(), n.Month(), n.Day(), 2, 0, 0, 0, zone)
	for t.Before(now.Add(time.Hour)) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

func (s *script) recovery() error {
	if err := s.at(atRecovery); err != nil {
		return err
	}
	h := s.d.Host
	select {
	case err := <-s.siteSeen:
		if err != nil {
			return err
		}
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
	// The customer hears of their site's problem before they repair it.
	err := s.until("the mail to "+h.CustomerEmail+" about "+h.BrokenSite, func() (bool, error) {
		return slices.ContainsFunc(s.d.Mail.Mails(h.CustomerEmail), func(m Mail) bool {
			return strings.Contains(m.Text, h.BrokenSite)
		}), nil
	})
	if err != nil {
		return err
	}
	if err := s.d.farm.StartHypervisor(h.Failing); err != nil {
		return fmt.Errorf("demo: restart %s: %w", h.Failing, err)
	}
	if err := s.d.farm.Clear(simulate.FaultStatus, h.BrokenSite); err != nil {
		return fmt.Errorf("demo: repair %s: %w", h.BrokenSite, err)
	}
	s.tell("%s is back, and customer %s repaired %s", h.Failing, h.CustomerOfScript, h.BrokenSite)
	err = s.until("incident #"+strconv.FormatInt(s.outage.ID, 10)+" to resolve", func() (bool, error) {
		inc, err := s.d.App.Incidents.Get(s.ctx, s.outage.ID)
		s.outage = inc
		return err == nil && inc.Status == incident.Resolved, err
	})
	if err != nil {
		return err
	}
	s.tell("incident #%d resolved once %s stayed up for a while", s.outage.ID, h.Failing)
	return nil
}

// postMortem drafts the post-mortem from the timeline, and the lead
// writes in what only a person knows.
func (s *script) postMortem() error {
	path := "/api/v1/incidents/" + strconv.FormatInt(s.outage.ID, 10) + "/postmortem"
	h := s.d.Host
	trigger := "The power supply of " + h.Failing + " failed."
	cause := "A single power supply: " + h.Failing + " has no redundant one, unlike the newer hypervisors."
	actions := []incident.ActionItem{{Title: "Give " + h.Failing + " a second power supply (maintenance planned tonight)",
		Owner: staffEmail, Type: incident.ActionPrevent, Due: time.Now().AddDate(0, 0, 7).Format("2006-01-02"), Status: incident.ActionOpen}}
	err := s.d.api.do(s.ctx, "PUT", path, map[string]any{"trigger": trigger, "root_cause": cause, "actions": actions}, nil)
	if err != nil {
		return err
	}
	s.tell("post-mortem of incident #%d drafted from its timeline, with the trigger, root cause and an action item: %s",
		s.outage.ID, s.d.URLs.API+"/incidents/"+strconv.FormatInt(s.outage.ID, 10)+"/postmortem?format=markdown")
	return nil
}

package notify

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
)

// planPage pages the staff about an incident: those on duty, or everyone
// who takes pages when no one is on duty or when escalating. Every staff
// channel carries it: e-mail to each one paged, a webhook once for all.
func (p *Planner) planPage(ctx context.Context, pl *plan, inc *incident.Incident, event, cause string, everyone bool) error {
	staff, err := p.d.Prefs.StaffList(ctx)
	if err != nil {
		return err
	}
	now := p.o.Now()
	paged, all := Paged(staff, now)
	if everyone {
		paged, all = onlyPaged(staff), true
	}
	a, err := p.audience(ctx, false)
	if err != nil {
		return err
	}
	names := make([]string, len(paged))
	for i, s := range paged {
		names[i] = s.Email
	}
	who := "on duty: " + strings.Join(names, ", ")
	if all {
		who = "paging everyone: " + strings.Join(names, ", ")
		if !everyone {
			who = "no one on duty; " + who
		}
	}
	detail := fmt.Sprintf("%s incident %d: %s. Roots: %s. Scope: %d assets, %d sites, %d customers. Impact since %s, detected %s. %s.",
		inc.Severity, inc.ID, inc.Title, strings.Join(inc.RootAssets, ", "), inc.Impact.Assets, inc.Impact.Sites,
		len(inc.Impact.Customers), inc.ImpactStartedAt.UTC().Format(time.RFC3339), inc.DetectedAt.UTC().Format(time.RFC3339), who)
	it := Item{Topic: TopicPage, Event: event, At: now.UTC(), IncidentID: inc.ID, Title: Text{FR: inc.Title, EN: inc.Title},
		Body: Text{FR: inc.Title, EN: inc.Title}, Status: string(inc.Status), Severity: string(inc.Severity),
		StartedAt: ptrTime(inc.ImpactStartedAt), Internal: detail}
	thread := "incident/" + strconv.FormatInt(inc.ID, 10)
	for _, ch := range a.channelsFor(AudienceStaff) {
		if ch.Kind != KindEmail {
			r := channelRecipient(ch)
			ci := it
			ci.AckLink = p.ackLink(inc.ID, "channel:"+ch.ID)
			pl.add(Message{Key: key(cause+"/"+event, ch.ID, ch.ID), Channel: ch.ID, Recipient: r, Topic: TopicPage,
				Thread: thread, IncidentID: inc.ID, Items: []Item{ci}, NotBefore: now}, p.o.PageWindow)
			continue
		}
		for _, s := range paged {
			r := Recipient{Kind: "staff", ID: s.Email, Address: s.Email, Lang: "fr", Zone: s.Zone}
			ci := it
			ci.AckLink = p.ackLink(inc.ID, s.Email)
			pl.add(Message{Key: key(cause+"/"+event, ch.ID, s.Email), Channel: ch.ID, Recipient: r, Topic: TopicPage,
				Thread: thread, IncidentID: inc.ID, Items: []Item{ci}, NotBefore: now}, p.o.PageWindow)
		}
	}
	if event == "escalation" {
		pl.escalated = inc.ID
	} else {
		pl.page = inc.ID
	}
	return nil
}

// paged reports whether an incident was paged already.
func (p *Planner) paged(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := p.d.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_pages WHERE incident_id = $1`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("read the page of incident %d: %w", id, err)
	}
	return n > 0, nil
}

func onlyPaged(staff []Staff) []Staff {
	var out []Staff
	for _, s := range staff {
		if s.Pageable() {
			out = append(out, s)
		}
	}
	return out
}

func (p *Planner) ackLink(id int64, who string) string {
	if p.o.PublicURL == "" || p.d.Links == nil {
		return ""
	}
	return p.o.PublicURL + "/ack/" + p.d.Links.AckToken(Ack{Incident: id, Staff: who, Expires: p.o.Now().Add(ackValidity)})
}

// planEscalations pages everyone about the incidents paged and not
// acknowledged within Escalate.
func (p *Planner) planEscalations(ctx context.Context) ([]*plan, error) {
	var due []int64
	err := store.Each(ctx, p.d.DB, "pages to escalate", `SELECT incident_id FROM notify_pages
		WHERE acked_at IS NULL AND escalated_at IS NULL AND paged_at <= $1 ORDER BY incident_id`,
		[]any{p.o.Now().UTC().Add(-p.o.Escalate)}, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			due = append(due, id)
			return nil
		})
	if err != nil {
		return nil, err
	}
	var out []*plan
	for _, id := range due {
		inc, err := p.d.Incidents.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		pl := &plan{escalated: id}
		if inc.AcknowledgedAt == nil && inc.Status != incident.Resolved && inc.Status != incident.Merged {
			if err := p.planPage(ctx, pl, &inc, "escalation", "x"+strconv.FormatInt(id, 10), true); err != nil {
				return nil, err
			}
		}
		out = append(out, pl)
	}
	return out, nil
}

// Acknowledge takes the incident an acknowledgement link names, for the
// staff member it names: the incident is acknowledged (as if they took it
// in the console) and its page stops escalating.
func (p *Planner) Acknowledge(ctx context.Context, token string) (incident.Incident, Ack, error) {
	now := p.o.Now()
	a, err := p.d.Links.ReadAck(token, now)
	if err != nil {
		return incident.Incident{}, Ack{}, err
	}
	inc, err := incident.Edit(ctx, p.d.Incidents, a.Incident, incident.EditRequest{Acknowledge: true}, a.Staff, now)
	if err != nil {
		return incident.Incident{}, a, fmt.Errorf("acknowledge incident %d: %w", a.Incident, err)
	}
	err = p.d.DB.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notify_pages SET acked_at = $2, acked_by = $3
			WHERE incident_id = $1 AND acked_at IS NULL`, a.Incident, now.UTC(), a.Staff)
		return err
	})
	if err != nil {
		return inc, a, fmt.Errorf("acknowledge the page of incident %d: %w", a.Incident, err)
	}
	return inc, a, nil
}

package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/notify"
)

// notificationsUsage is the one-line synopsis of vigie notifications.
const notificationsUsage = "vigie notifications list|resend [ID] [--state S] [--channel C] [--incident N]"

func runNotifications(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "list", "resend":
	case "-h", "--help":
		notificationsHelp(e)
		return nil
	case "":
		return fmt.Errorf("%w: want '%s'", errUsage, notificationsUsage)
	default:
		return fmt.Errorf("%w: unknown subcommand %q: want '%s'", errUsage, sub, notificationsUsage)
	}
	fs := newFlags(e, "notifications "+sub, "[ID] [--state S] [--channel C] [--incident N] [--db DSN]", "List or resend notification messages")
	db := dbFlag(fs, e)
	state := fs.String("state", "", "only messages in this state: pending, sending, sent or dead (list)")
	channel := fs.String("channel", "", "only this channel's messages")
	incidentID := fs.Int64("incident", 0, "only this incident's messages")
	after := fs.Int64("after", 0, "only messages after this id (list)")
	limit := fs.Int("limit", 100, "at most this many (list)")
	dead := fs.Bool("dead", false, "resend every dead message (resend)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	f := notify.ListFilter{State: notify.State(*state), Channel: *channel, IncidentID: *incidentID, AfterID: *after, Limit: *limit}
	var id int64
	switch {
	case sub == "list" && (len(rest) > 0 || *dead):
		return fmt.Errorf("%w: list takes no id and no --dead", errUsage)
	case sub == "resend" && *dead == (len(rest) == 1) || len(rest) > 1:
		return fmt.Errorf("%w: resend takes one message id, or --dead", errUsage)
	case sub == "resend" && len(rest) == 1:
		if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil || id < 1 {
			return fmt.Errorf("%w: %q is no message id", errUsage, rest[0])
		}
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	st := notifyStore(a)
	switch {
	case sub == "list":
		return printMessages(ctx, e, st, f)
	case *dead:
		n, err := st.ResendAll(ctx, notify.ListFilter{Channel: *channel, IncidentID: *incidentID})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d dead messages to send again\n", n)
		return nil
	}
	m, err := st.Resend(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "message %d to send again (key %s)\n", m.ID, m.Key)
	return nil
}

func notificationsHelp(e *env) {
	fmt.Fprintln(e.stdout, "Usage: "+notificationsUsage+" [--db DSN]")
	fmt.Fprintln(e.stdout, "\nlist          show messages, oldest first (--state dead: the dead letters)")
	fmt.Fprintln(e.stdout, "resend ID     send a dead or sent message again, now, with the same idempotency key")
	fmt.Fprintln(e.stdout, "resend --dead send every dead message again (with --channel or --incident: only those)")
}

func printMessages(ctx context.Context, e *env, st *notify.Store, f notify.ListFilter) error {
	list, err := st.Messages(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tCHANNEL\tRECIPIENT\tTOPIC\tINCIDENT\tTRIES\tNOT BEFORE\tLAST ERROR")
	for _, m := range list {
		who := m.Recipient.ID
		if m.Recipient.Address != "" {
			who += " <" + m.Recipient.Address + ">"
		}
		incident := "-"
		if m.IncidentID != 0 {
			incident = strconv.FormatInt(m.IncidentID, 10)
		}
		lastErr := strings.ReplaceAll(m.LastError, "\n", " ")
		if len(lastErr) > 80 {
			lastErr = lastErr[:80] + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.State, m.Channel, who, m.Topic, incident,
			m.Attempts, m.NotBefore.Format(time.RFC3339), lastErr)
	}
	return tw.Flush()
}

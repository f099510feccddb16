package main

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestChannelCommandsKeepSecretsWriteOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		const secret = "mastodon-token-Zq81"
		r := vigie(t, dsn, secret+"\n", "channel", "add", "social", "--kind", "mastodon", "--audience", "public",
			"--config", "instance=https://mastodon.example.org", "--name", "Mastodon")
		if r.code != 0 || !strings.Contains(r.stdout, "channel social added (mastodon, secret set)") {
			t.Fatalf("channel add: %+v", r)
		}
		file := filepath.Join(t.TempDir(), "hook.secret")
		if err := os.WriteFile(file, []byte("hmac-key-77\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r = vigie(t, dsn, "", "channel", "add", "hook", "--kind", "webhook", "--audience", "public", "--rate", "10", "--config", "url=https://example.org/hook")
		if r.code != 1 || !strings.Contains(r.stderr, "secret: ") {
			t.Fatalf("a webhook without its signing secret: %+v", r)
		}
		r = vigie(t, dsn, "", "channel", "add", "hook", "--kind", "webhook", "--audience", "public", "--rate", "10",
			"--config", "url=https://example.org/hook", "--secret-file", file)
		if r.code != 0 || !strings.Contains(r.stdout, "channel hook added (webhook, secret set)") {
			t.Fatalf("channel add: %+v", r)
		}
		// A change that leaves the secret out keeps it.
		r = vigie(t, dsn, "", "channel", "set", "hook", "--disable")
		if r.code != 0 || !strings.Contains(r.stdout, "channel hook changed (webhook, secret set)") {
			t.Fatalf("channel set: %+v", r)
		}
		var outputs []string
		r = vigie(t, dsn, "", "channel", "list")
		outputs = append(outputs, r.stdout+r.stderr)
		if l := lineOf(r.stdout, "hook "); r.code != 0 || !strings.Contains(l, "disabled") || !strings.Contains(l, "10") || !strings.Contains(l, "set") {
			t.Fatalf("channel list, hook line %q: %+v", l, r)
		}
		if l := lineOf(r.stdout, "social "); !strings.Contains(l, "30") || !strings.Contains(l, "enabled") {
			t.Fatalf("channel list, social line %q (30 a minute is Mastodon's default)", l)
		}
		r = vigie(t, dsn, "", "channel", "show", "social")
		outputs = append(outputs, r.stdout+r.stderr)
		if r.code != 0 || !strings.Contains(r.stdout, "config:     instance=https://mastodon.example.org") || !strings.Contains(r.stdout, "secret:     set") {
			t.Fatalf("channel show: %+v", r)
		}
		// A change without a secret keeps it.
		r = vigie(t, dsn, "", "channel", "set", "social", "--name", "Fediverse", "--config", "visibility=unlisted")
		outputs = append(outputs, r.stdout+r.stderr)
		if r.code != 0 || !strings.Contains(r.stdout, "secret set") {
			t.Fatalf("channel set without secret: %+v", r)
		}
		st := notify.NewStore(db)
		if db.Engine == store.SQLite {
			ch, err := st.Channel(context.Background(), "social")
			if err != nil || ch.Name != "Fediverse" || ch.Config["visibility"] != "unlisted" || !ch.SecretSet {
				t.Fatalf("stored %+v %v", ch, err)
			}
		}
		steps := []struct {
			args []string
			code int
			says string
		}{
			{[]string{"add", "Bad", "--kind", "webhook", "--audience", "staff"}, 1, "id: want"},
			{[]string{"add", "x", "--kind", "slack", "--audience", "customers"}, 1, "audiences[0]: customers are reached one by one"},
			{[]string{"add", "hook", "--kind", "webhook", "--audience", "staff", "--config", "url=https://example.org/b", "--secret-file", file}, 1, `a channel "hook" already exists`},
			{[]string{"set", "hook", "--kind", "slack"}, 2, "kind cannot change"},
			{[]string{"set", "hook", "--enable", "--disable"}, 2, "not both"},
			{[]string{"show", "nope"}, 1, `channel "nope" not found`},
			{[]string{"set", "social", "--unset", "instance"}, 1, "config.instance: "},
			{[]string{"list", "social"}, 2, "list takes 0 channel id"},
			{[]string{"frobnicate"}, 2, `unknown subcommand "frobnicate"`},
			{[]string{"remove", "hook"}, 0, "channel hook removed"},
			{[]string{"remove", "hook"}, 1, `channel "hook" not found`},
		}
		for _, s := range steps {
			r := vigie(t, dsn, "", append([]string{"channel"}, s.args...)...)
			outputs = append(outputs, r.stdout+r.stderr)
			if r.code != s.code || !strings.Contains(r.stdout+r.stderr, s.says) {
				t.Errorf("channel %v: code %d, stdout %q, stderr %q; want code %d saying %q", s.args, r.code, r.stdout, r.stderr, s.code, s.says)
			}
		}
		for _, out := range outputs {
			if strings.Contains(out, secret) || strings.Contains(out, "hmac-key-77") {
				t.Fatalf("a command showed a secret:\n%s", out)
			}
		}
	})
}

func TestNotificationsCommandsListAndResendDeadLetters(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	dsn := dsnOf(t, db)
	ctx := context.Background()
	st := notify.NewStore(db)
	if err := st.AddChannel(ctx, &notify.Channel{ID: "mail", Kind: notify.KindEmail, Audiences: []notify.Audience{notify.AudienceCustomers}, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, who := range []string{"C1", "C2"} {
		m := &notify.Message{Key: "k-" + who, Channel: "mail", Recipient: notify.Recipient{Kind: "customer", ID: who, Address: strings.ToLower(who) + "@example.org"},
			Topic: notify.TopicIncident, IncidentID: 3, NotBefore: now, Items: []notify.Item{{Topic: notify.TopicIncident, Event: "opened", At: now, IncidentID: 3}}}
		if err := db.InTx(ctx, func(tx *sql.Tx) error { _, _, err := st.Enqueue(ctx, tx, m, 0); return err }); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := st.Claim(ctx, now, 5, time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatal(len(claimed), err)
	}
	for _, c := range claimed {
		if err := st.Failed(ctx, c.Message.ID, notify.Permanent(errors.New("550 mailbox unavailable")), now, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := vigie(t, dsn, "", "notifications", "list", "--state", "dead")
	if l := lineOf(r.stdout, "1 "); r.code != 0 || !strings.Contains(l, "dead") || !strings.Contains(l, "c1@example.org") || !strings.Contains(l, "550 mailbox unavailable") {
		t.Fatalf("list dead, line %q: %+v", l, r)
	}
	steps := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"resend", "1"}, 0, "message 1 to send again (key k-C1)"},
		{[]string{"resend", "1"}, 1, "notification 1 is pending: only a dead or sent message can be resent"},
		{[]string{"resend", "--dead", "--channel", "mail"}, 0, "1 dead messages to send again"},
		{[]string{"resend"}, 2, "resend takes one message id, or --dead"},
		{[]string{"resend", "x"}, 2, `"x" is no message id`},
		{[]string{"list", "--state", "lost"}, 1, "state: want pending, sending, sent or dead"},
	}
	for _, s := range steps {
		r := vigie(t, dsn, "", append([]string{"notifications"}, s.args...)...)
		if r.code != s.code || !strings.Contains(r.stdout+r.stderr, s.says) {
			t.Errorf("notifications %v: code %d, stdout %q, stderr %q; want code %d saying %q", s.args, r.code, r.stdout, r.stderr, s.code, s.says)
		}
	}
	if r := vigie(t, dsn, "", "notifications", "list", "--state", "dead"); strings.Contains(r.stdout, "dead ") {
		t.Fatalf("dead letters left:\n%s", r.stdout)
	}
}

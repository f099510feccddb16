package notify

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// outgoing renders m into what the outbox hands a sender.
func outgoing(t testing.TB, r *Renderer, m *Message) *Outgoing {
	t.Helper()
	rendered, err := r.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	return &Outgoing{Message: m, Rendered: rendered, Host: "status.example.net"}
}

func sendOne(t testing.TB, s *EmailSender, ch *Channel, out *Outgoing) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Send(ctx, ch, out)
}

// TestMailsArriveThreadedInTheirRecipientsLanguage sends two updates of
// one incident to a French customer and one to an English customer,
// through STARTTLS and AUTH PLAIN, and reads the mails back.
func TestMailsArriveThreadedInTheirRecipientsLanguage(t *testing.T) {
	srv := startSMTP(t, smtpOptions{Username: "vigie", Password: "s3cret"})
	s := &EmailSender{RootCAs: srv.RootCAs, Now: func() time.Time { return fixtureNow }}
	t.Cleanup(func() { _ = s.Close() })
	r := testRenderer(t)
	msgs := goldenMessages()
	opened, resolved := msgs["incident-opened-fr"], *msgs["incident-resolved-en"]
	resolved.Recipient, resolved.Key, resolved.Unsubscribe = ana, "incident-12-3.C00042", opened.Unsubscribe
	english := msgs["incident-resolved-en"]
	ids := map[string]string{}
	for _, m := range []*Message{opened, &resolved, english} {
		id, err := sendOne(t, s, srv.Channel("mail"), outgoing(t, r, m))
		if err != nil {
			t.Fatalf("send %s: %v", m.Key, err)
		}
		ids[m.Key] = id
	}
	mails := srv.WaitMails(t, 3, 5*time.Second)
	got := map[string]*parsedMail{}
	for _, raw := range mails {
		p := parseMail(t, raw.Data)
		got[p.Get("X-Vigie-Key")] = p
	}
	fr1, fr2, en := got[opened.Key], got[resolved.Key], got[english.Key]
	if fr1 == nil || fr2 == nil || en == nil {
		t.Fatalf("mails by key: %v", got)
	}
	for key, p := range got {
		if p.Get("Message-ID") != ids[key] || !strings.HasSuffix(ids[key], "@status.example.net>") {
			t.Errorf("%s: Message-ID %q, Send returned %q", key, p.Get("Message-ID"), ids[key])
		}
		if p.Get("Auto-Submitted") != "auto-generated" || p.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: Auto-Submitted %q, List-Unsubscribe-Post %q", key, p.Get("Auto-Submitted"), p.Get("List-Unsubscribe-Post"))
		}
		if p.Get("From") != `"Hébergeur Exemple" <status@host.example>` && p.Get("From") != "Hébergeur Exemple <status@host.example>" {
			t.Errorf("%s: From %q", key, p.Get("From"))
		}
	}
	if fr1.Get("In-Reply-To") != "<incident-12.C00042@status.example.net>" || fr1.Get("References") != fr2.Get("References") || fr1.Get("In-Reply-To") != fr2.Get("In-Reply-To") {
		t.Errorf("one incident's mails do not share a thread: %q %q / %q %q", fr1.Get("In-Reply-To"), fr1.Get("References"), fr2.Get("In-Reply-To"), fr2.Get("References"))
	}
	if en.Get("References") == fr1.Get("References") || fr1.Get("Message-ID") == fr2.Get("Message-ID") {
		t.Error("two recipients share a thread, or two mails a Message-ID")
	}
	for _, c := range []struct {
		p                        *parsedMail
		lang, to, subject, words string
	}{
		{fr1, "fr", "ana@client.example", "[Incident] Panne : Hébergement mutualisé — enquête en cours", "Nous enquêtons sur une panne"},
		{fr2, "fr", "ana@client.example", "[Incident] Panne : Hébergement mutualisé — résolu", "L'incident est résolu."},
		{en, "en", "bob@client.example", "[Incident] Outage: Shared hosting — resolved", "The incident is resolved."},
	} {
		if c.p.Get("Content-Language") != c.lang || c.p.Get("Subject") != c.subject || !strings.Contains(c.p.Get("To"), "<"+c.to+">") {
			t.Errorf("language %q subject %q to %q, want %s %q %s", c.p.Get("Content-Language"), c.p.Get("Subject"), c.p.Get("To"), c.lang, c.subject, c.to)
		}
		unsub := "https://status.example.net/unsubscribe?c=" + map[string]string{"fr": "C00042", "en": "C00043"}[c.lang] + "&sig=xyz"
		if c.p.Get("List-Unsubscribe") != "<"+unsub+">" {
			t.Errorf("List-Unsubscribe %q, want <%s>", c.p.Get("List-Unsubscribe"), unsub)
		}
		if !strings.Contains(c.p.Text, c.words) || !strings.Contains(c.p.HTML, strings.ReplaceAll(c.words, "'", "&#39;")) {
			t.Errorf("%s: the parts lack %q:\n%s\n%s", c.lang, c.words, c.p.Text, c.p.HTML)
		}
		if !strings.Contains(c.p.Text, unsub) || !strings.Contains(c.p.HTML, strings.ReplaceAll(unsub, "&", "&amp;")) {
			t.Errorf("%s: the body lacks the unsubscribe link", c.lang)
		}
	}
}

// TestStaffMailsHaveNoUnsubscribeNorThreadForASummary checks the headers
// that only customers' threaded mails carry.
func TestStaffMailsHaveNoUnsubscribeNorThreadForASummary(t *testing.T) {
	srv := startSMTP(t, smtpOptions{})
	s := &EmailSender{RootCAs: srv.RootCAs}
	t.Cleanup(func() { _ = s.Close() })
	r := testRenderer(t)
	page, summary := goldenMessages()["page-en"], goldenMessages()["summary-fr"]
	for _, m := range []*Message{page, summary} {
		if _, err := sendOne(t, s, srv.Channel("mail"), outgoing(t, r, m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, raw := range srv.WaitMails(t, 2, 5*time.Second) {
		p := parseMail(t, raw.Data)
		switch p.Get("X-Vigie-Key") {
		case page.Key:
			if p.Get("List-Unsubscribe") != "" || p.Get("In-Reply-To") != "<incident-12."+idPart("lea@host.example")+"@status.example.net>" {
				t.Errorf("page: List-Unsubscribe %q, In-Reply-To %q", p.Get("List-Unsubscribe"), p.Get("In-Reply-To"))
			}
		case summary.Key:
			if p.Get("In-Reply-To") != "" || p.Get("References") != "" || p.Get("List-Unsubscribe") == "" {
				t.Errorf("summary: In-Reply-To %q References %q", p.Get("In-Reply-To"), p.Get("References"))
			}
		}
	}
}

// TestFailuresArePermanentOnlyWhenTheServerSaysSo covers a wrong password,
// a refused recipient, a dead server and an untrusted certificate.
func TestFailuresArePermanentOnlyWhenTheServerSaysSo(t *testing.T) {
	r := testRenderer(t)
	out := outgoing(t, r, goldenMessages()["incident-opened-fr"])
	refusing := startSMTP(t, smtpOptions{Reject: func(string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}})
	busy := startSMTP(t, smtpOptions{Reject: func(string) error {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	}})
	authed := startSMTP(t, smtpOptions{Username: "vigie", Password: "s3cret"})
	wrongPassword := authed.Channel("wrong")
	wrongPassword.Secret = "guess"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := authed.Channel("down")
	down.Config["port"] = fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	_ = ln.Close()
	for _, c := range []struct {
		name      string
		ch        *Channel
		roots     *smtpServer // whose certificate is trusted
		permanent bool
	}{
		{"550 recipient refused", refusing.Channel("a"), refusing, true},
		{"451 try later", busy.Channel("b"), busy, false},
		{"wrong password", wrongPassword, authed, true},
		{"server down", down, authed, false},
		{"untrusted certificate", authed.Channel("c"), refusing, false},
	} {
		s := &EmailSender{RootCAs: c.roots.RootCAs, Timeout: 5 * time.Second}
		_, err := sendOne(t, s, c.ch, out)
		if err == nil {
			t.Errorf("%s: no error", c.name)
		} else if IsPermanent(err) != c.permanent {
			t.Errorf("%s: permanent %v, want %v: %v", c.name, IsPermanent(err), c.permanent, err)
		}
		if err != nil && strings.Contains(err.Error(), "guess") {
			t.Errorf("%s: the error shows the password: %v", c.name, err)
		}
		_ = s.Close()
	}
	if n := len(refusing.Mails()) + len(busy.Mails()) + len(authed.Mails()); n != 0 {
		t.Errorf("%d mails were accepted", n)
	}
}

// TestImplicitTLSDelivers sends through a server speaking TLS from the
// first byte.
func TestImplicitTLSDelivers(t *testing.T) {
	srv := startSMTP(t, smtpOptions{Implicit: true, Username: "vigie", Password: "s3cret"})
	s := &EmailSender{RootCAs: srv.RootCAs}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := sendOne(t, s, srv.Channel("tls"), outgoing(t, testRenderer(t), goldenMessages()["page-en"])); err != nil {
		t.Fatal(err)
	}
	srv.WaitMails(t, 1, 5*time.Second)
}

// TestConcurrentSendsShareFewConnections sends 200 messages from 8
// goroutines through one sender: each arrives once, over at most
// MaxConns connections; idle ones close, and Close ends the rest.
func TestConcurrentSendsShareFewConnections(t *testing.T) {
	srv := startSMTP(t, smtpOptions{Username: "vigie", Password: "s3cret"})
	s := &EmailSender{RootCAs: srv.RootCAs, MaxConns: 4, IdleTimeout: time.Hour}
	t.Cleanup(func() { _ = s.Close() })
	r := testRenderer(t)
	base := goldenMessages()["incident-opened-fr"]
	rendered, err := r.Render(base)
	if err != nil {
		t.Fatal(err)
	}
	const total, workers = 200, 8
	keys := make(chan string, total)
	for i := range total {
		keys <- fmt.Sprintf("incident-12-1.C%05d", i)
	}
	close(keys)
	var wg sync.WaitGroup
	errs := make(chan error, total)
	for range workers {
		wg.Go(func() {
			for k := range keys {
				m := *base
				m.Key = k
				if _, err := sendOne(t, s, srv.Channel("mail"), &Outgoing{Message: &m, Rendered: rendered, Host: "h.example"}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]int{}
	for _, raw := range srv.WaitMails(t, total, 10*time.Second) {
		seen[parseMail(t, raw.Data).Get("X-Vigie-Key")]++
	}
	for i := range total {
		if k := fmt.Sprintf("incident-12-1.C%05d", i); seen[k] != 1 {
			t.Errorf("%s arrived %d times", k, seen[k])
		}
	}
	if n := srv.Connections(); n > 4 || n == 0 {
		t.Errorf("%d connections for %d mails, want 1 to 4", n, total)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "connections to close", func() bool { return srv.Open() == 0 })
	if _, err := sendOne(t, s, srv.Channel("mail"), outgoing(t, r, base)); err == nil {
		t.Error("a closed sender sent")
	}
}

// TestIdleConnectionsClose lets a connection sit idle past IdleTimeout.
func TestIdleConnectionsClose(t *testing.T) {
	srv := startSMTP(t, smtpOptions{})
	s := &EmailSender{RootCAs: srv.RootCAs, IdleTimeout: 50 * time.Millisecond}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := sendOne(t, s, srv.Channel("mail"), outgoing(t, testRenderer(t), goldenMessages()["page-en"])); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the idle connection to close", func() bool { return srv.Open() == 0 })
}

// TestAConnectionTheServerDroppedIsReplaced sends again after the server
// hung up on the idle connection: the mail goes on a new one.
func TestAConnectionTheServerDroppedIsReplaced(t *testing.T) {
	srv := startSMTP(t, smtpOptions{IdleTimeout: 300 * time.Millisecond})
	s := &EmailSender{RootCAs: srv.RootCAs, IdleTimeout: time.Hour}
	t.Cleanup(func() { _ = s.Close() })
	out := outgoing(t, testRenderer(t), goldenMessages()["page-en"])
	if _, err := sendOne(t, s, srv.Channel("mail"), out); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the server to hang up", func() bool { return srv.Open() == 0 })
	if _, err := sendOne(t, s, srv.Channel("mail"), out); err != nil {
		t.Fatalf("a dropped connection was not replaced: %v", err)
	}
	srv.WaitMails(t, 2, 5*time.Second)
	if n := srv.Connections(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestValidateNamesTheBadSetting checks each setting's refusal.
func TestValidateNamesTheBadSetting(t *testing.T) {
	good := map[string]string{"host": "smtp.example.net", "from": "status@example.net"}
	for _, c := range []struct {
		set     map[string]string
		wantKey string
	}{
		{map[string]string{"host": ""}, "host"},
		{map[string]string{"host": "smtp.example.net:25"}, "host"},
		{map[string]string{"port": "70000"}, "port"},
		{map[string]string{"tls": "ssl"}, "tls"},
		{map[string]string{"tls": "none"}, "tls"},
		{map[string]string{"from": "not an address"}, "from"},
		{map[string]string{"reply_to": "@"}, "reply_to"},
		{map[string]string{"insecure_skip_verify": "true"}, "insecure_skip_verify"},
	} {
		cfg := map[string]string{}
		for k, v := range good {
			cfg[k] = v
		}
		for k, v := range c.set {
			cfg[k] = v
		}
		err := (&EmailSender{}).Validate(&Channel{Kind: KindEmail, Config: cfg})
		if err == nil || !strings.Contains(err.Error(), c.wantKey) {
			t.Errorf("%v: error %v, want one naming %s", c.set, err, c.wantKey)
		}
	}
	for _, cfg := range []map[string]string{good, {"host": "127.0.0.1", "tls": "none", "port": "2525", "from": "a@b.example"}, {"host": "localhost", "tls": "tls", "from": "a@b.example", "reply_to": "x@y.example"}} {
		if err := (&EmailSender{}).Validate(&Channel{Kind: KindEmail, Config: cfg}); err != nil {
			t.Errorf("%v: %v", cfg, err)
		}
	}
}

// waitFor polls cond until it holds, for at most five seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

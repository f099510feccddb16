package demo

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// frenchMail is a mail as Vigie's sender writes one: an encoded subject,
// a quoted-printable text part and an HTML alternative.
const frenchMail = "From: Vigie <status@demo.example>\r\n" +
	"To: contact@c000011.example\r\n" +
	"Subject: =?UTF-8?q?[Incident]_Panne_:_H=C3=A9bergement_mutualis=C3=A9?=\r\n" +
	"Content-Language: fr\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=b1\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Vos sites concern=C3=A9s : s0001245 <b>\r\n" +
	"Suivre l'incident : http://127.0.0.1:8080/incidents/1/\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+VnVlIEhUTUw8L3A+\r\n" +
	"--b1--\r\n"

// TestTheMailCatcherShowsMailsAsSent sends a mail over SMTP to the
// catcher and reads it back on its page: subject and text decoded, the
// text escaped with its links made links, the HTML version sandboxed, the
// list filtered by recipient.
func TestTheMailCatcherShowsMailsAsSent(t *testing.T) {
	m, err := StartMailbox()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	if err := smtp.SendMail(addr, nil, "status@demo.example", []string{"Contact@C000011.example"}, []byte(frenchMail)); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(addr, nil, "status@demo.example", []string{"other@c000012.example"}, []byte("Subject: other\r\n\r\nhello\r\n")); err != nil {
		t.Fatal(err)
	}
	page := httptest.NewServer(m.MailPage())
	t.Cleanup(page.Close)
	get := func(path string) (int, http.Header, string) {
		t.Helper()
		c := &http.Client{Timeout: 5 * time.Second}
		resp, err := c.Get(page.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	if code, _, body := get("/?to=contact@c000011.example"); code != 200 ||
		!strings.Contains(body, "[Incident] Panne : Hébergement mutualisé") || strings.Contains(body, "other") {
		t.Fatalf("the list for one recipient: %d %s", code, body)
	}
	if code, _, body := get("/mails/1"); code != 200 || !strings.Contains(body, "Vos sites concernés : s0001245 &lt;b&gt;") ||
		!strings.Contains(body, `<a href="http://127.0.0.1:8080/incidents/1/">`) || !strings.Contains(body, ">fr<") {
		t.Fatalf("the mail: %d %s", code, body)
	}
	if code, h, body := get("/mails/1/html"); code != 200 || body != "<p>Vue HTML</p>" ||
		!strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("the HTML version: %d %q %s", code, h.Get("Content-Security-Policy"), body)
	}
	if code, _, _ := get("/mails/3"); code != http.StatusNotFound {
		t.Fatalf("a mail that does not exist: %d", code)
	}
	if got := len(m.Mails("")); got != 2 {
		t.Fatalf("%d mails kept, want 2", got)
	}
}

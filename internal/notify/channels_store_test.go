package notify

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// hostRequired is a validator wanting config.host.
type hostRequired struct{}

func (hostRequired) Validate(ch *Channel) error {
	if ch.Config["host"] == "" {
		return &InvalidError{Fields: []FieldError{{"config.host", "the SMTP server is required"}}}
	}
	return nil
}

func TestChannelsAreValidatedByField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		st, _ := newTestStore(t, db)
		st.Validators = map[Kind]Validator{KindEmail: hostRequired{}}
		cases := []struct {
			ch     Channel
			fields []string
		}{
			{Channel{ID: "Mail", Kind: KindEmail, Audiences: []Audience{AudienceStaff}, Config: map[string]string{"host": "h"}}, []string{"id"}},
			{Channel{ID: "x", Kind: "sms", Audiences: []Audience{AudiencePublic}}, []string{"kind"}},
			{Channel{ID: "x", Kind: KindWebhook}, []string{"audiences"}},
			{Channel{ID: "x", Kind: KindWebhook, Audiences: []Audience{AudiencePublic, "everyone", AudiencePublic}}, []string{"audiences[1]", "audiences[2]"}},
			{Channel{ID: "x", Kind: KindSlack, Audiences: []Audience{AudienceCustomers}}, []string{"audiences[0]"}},
			{Channel{ID: "x", Kind: KindWebhook, Audiences: []Audience{AudienceStaff}, RatePerMinute: -1}, []string{"rate_per_minute"}},
			{Channel{ID: "x", Kind: KindWebhook, Audiences: []Audience{AudiencePublic}, Config: map[string]string{"lang": "de", "zone": "Mars/Olympus"}}, []string{"config.lang", "config.zone"}},
			{Channel{ID: "x", Kind: KindWebhook, Audiences: []Audience{AudienceStaff}, Secret: strings.Repeat("s", 5000)}, []string{"secret"}},
			{Channel{ID: "mail", Kind: KindEmail, Audiences: []Audience{AudienceCustomers}}, []string{"config.host"}},
		}
		for _, c := range cases {
			err := st.AddChannel(context.Background(), &c.ch)
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Errorf("%+v: %v, want invalid", c.ch, err)
				continue
			}
			var got []string
			for _, f := range inv.Fields {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, c.fields) {
				t.Errorf("%+v: fields %v, want %v (%v)", c.ch, got, c.fields, err)
			}
			if strings.Contains(err.Error(), "sssss") {
				t.Errorf("the error shows the secret: %v", err)
			}
		}
	})
}

func TestChannelSecretsAreWriteOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, clk := newTestStore(t, db)
		ch := Channel{ID: "mail", Kind: KindEmail, Name: " Mail ", Audiences: []Audience{AudienceStaff, AudienceCustomers},
			Enabled: true, Config: map[string]string{"host": "smtp.example.org"}, Secret: "hunter2"}
		if err := st.AddChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
		if ch.Secret != "" || !ch.SecretSet || ch.Name != "Mail" {
			t.Fatalf("after add: %+v", ch)
		}
		if err := st.AddChannel(ctx, &Channel{ID: "mail", Kind: KindWebhook, Audiences: []Audience{AudienceStaff}}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("the same id again: %v", err)
		}
		got, err := st.Channel(ctx, "mail")
		if err != nil {
			t.Fatal(err)
		}
		if got.Secret != "" || !got.SecretSet || got.Config["host"] != "smtp.example.org" || !slices.Equal(got.Audiences, []Audience{AudienceCustomers, AudienceStaff}) {
			t.Fatalf("get: %+v", got)
		}
		// An update without a secret keeps the stored one.
		clk.Add(1e9)
		got.Name, got.Enabled, got.Secret = "Courriel", false, ""
		if err := st.UpdateChannel(ctx, &got); err != nil {
			t.Fatal(err)
		}
		with, err := st.channelWithSecret(ctx, "mail")
		if err != nil || with.Secret != "hunter2" || with.Name != "Courriel" || with.Enabled || !with.UpdatedAt.After(with.CreatedAt) {
			t.Fatalf("after an update without secret: %+v %v", with, err)
		}
		got.Secret = "correct horse"
		if err := st.UpdateChannel(ctx, &got); err != nil || got.Secret != "" {
			t.Fatal(err, got.Secret)
		}
		if with, _ := st.channelWithSecret(ctx, "mail"); with.Secret != "correct horse" {
			t.Fatalf("the new secret was not kept: %q", with.Secret)
		}
		list, err := st.Channels(ctx)
		if err != nil || len(list) != 1 || list[0].Secret != "" || !list[0].SecretSet {
			t.Fatalf("list: %+v %v", list, err)
		}
		got.Kind, got.Audiences = KindWebhook, []Audience{AudienceStaff}
		var inv *InvalidError
		if err := st.UpdateChannel(ctx, &got); !errors.As(err, &inv) || inv.Fields[0].Field != "kind" {
			t.Fatalf("a kind change: %v", err)
		}
		if err := st.UpdateChannel(ctx, &Channel{ID: "nope", Kind: KindWebhook, Audiences: []Audience{AudienceStaff}}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update a missing channel: %v", err)
		}
		if err := st.DeleteChannel(ctx, "mail"); err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteChannel(ctx, "mail"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

// A change that leaves the secret out keeps it, and the kind's own check
// sees it: disabling a Mastodon channel needs no token typed again.
func TestAChannelChangedWithoutItsSecretKeepsItThroughTheKindsCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, _ := newTestStore(t, db)
		st.Validators = ValidatorsOf(map[Kind]Sender{KindMastodon: NewMastodonSender(nil, nil)})
		ch := Channel{ID: "social", Kind: KindMastodon, Audiences: []Audience{AudiencePublic}, Enabled: true,
			Config: map[string]string{"instance": "https://mastodon.example.org"}, Secret: "token-1"}
		if err := st.AddChannel(ctx, &ch); err != nil {
			t.Fatal(err)
		}
		change := Channel{ID: "social", Kind: KindMastodon, Audiences: []Audience{AudiencePublic}, Enabled: false,
			Config: map[string]string{"instance": "https://mastodon.example.org"}, RatePerMinute: 20}
		if err := st.UpdateChannel(ctx, &change); err != nil {
			t.Fatalf("a change without the secret: %v", err)
		}
		got, err := st.channelWithSecret(ctx, "social")
		if err != nil || got.Secret != "token-1" || got.Enabled || got.RatePerMinute != 20 {
			t.Fatalf("stored: %+v %v", got, err)
		}
		// The kind's complaint names its field.
		bad := Channel{ID: "other", Kind: KindMastodon, Audiences: []Audience{AudiencePublic}, Enabled: true,
			Config: map[string]string{"instance": "https://mastodon.example.org"}}
		var inv *InvalidError
		if err := st.AddChannel(ctx, &bad); !errors.As(err, &inv) || inv.Fields[0].Field != "secret" {
			t.Errorf("a channel without its token: %v", err)
		}
		for _, aud := range [][]Audience{{AudiencePublic, AudienceStaff}} {
			c := Channel{ID: "mixed", Kind: KindWebhook, Audiences: aud, Enabled: true, Secret: "s"}
			if err := st.AddChannel(ctx, &c); !errors.As(err, &inv) {
				t.Errorf("a webhook for the public and the staff was accepted")
			}
		}
		for _, c := range []Channel{
			{ID: "m", Kind: KindMastodon, Audiences: []Audience{AudienceStaff}, Secret: "s", Config: map[string]string{"instance": "https://m.example"}},
			{ID: "e", Kind: KindEmail, Audiences: []Audience{AudiencePublic}},
		} {
			if err := st.AddChannel(ctx, &c); !errors.As(err, &inv) || inv.Fields[0].Field != "audiences[0]" {
				t.Errorf("%s for %v: %v", c.Kind, c.Audiences, err)
			}
		}
	})
}

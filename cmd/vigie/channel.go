package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/notify"
)

// channelUsage is the one-line synopsis of vigie channel.
const channelUsage = "vigie channel add|list|show|set|remove|test [ID] [flags]"

func runChannel(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add", "set":
		return runChannelSave(ctx, e, sub, args)
	case "list", "show", "remove", "test":
		return runChannelOther(ctx, e, sub, args)
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "Usage: "+channelUsage+" [--db DSN]")
		fmt.Fprintln(e.stdout, "\nadd ID --kind K --audience A,...  add a channel; its secret is read from standard input")
		fmt.Fprintln(e.stdout, "                                   (first line) or from --secret-file, never from a flag")
		fmt.Fprintln(e.stdout, "list                               show every channel (never their secrets)")
		fmt.Fprintln(e.stdout, "show ID                            show a channel and its settings")
		fmt.Fprintln(e.stdout, "set ID [flags]                     change what the flags say; --secret-file FILE (- for")
		fmt.Fprintln(e.stdout, "                                   standard input) replaces the secret")
		fmt.Fprintln(e.stdout, "remove ID                          remove a channel; its unsent messages go to the dead letters")
		fmt.Fprintln(e.stdout, "test ID [--to ADDR|CUSTOMER]       send a test message")
		fmt.Fprintln(e.stdout, "\nKinds: "+strings.Join(kindNames(), ", ")+". Audiences: customers (e-mail only), public, staff.")
		return nil
	case "":
		return fmt.Errorf("%w: want '%s'", errUsage, channelUsage)
	default:
		return fmt.Errorf("%w: unknown subcommand %q: want '%s'", errUsage, sub, channelUsage)
	}
}

func kindNames() []string {
	out := make([]string, len(notify.Kinds))
	for i, k := range notify.Kinds {
		out[i] = string(k)
	}
	return out
}

// settings collects repeated --config KEY=VALUE flags.
type settings map[string]string

func (s settings) String() string { return "" }

func (s settings) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	s[strings.TrimSpace(k)] = val
	return nil
}

// channelFlags are the flags of channel add and set.
type channelFlags struct {
	db, kind, name, audiences, secretFile *string
	rate                                  *int
	disabled, enable, disable             *bool
	config                                settings
	unset                                 *string
}

func newChannelFlags(fs *flag.FlagSet, e *env) *channelFlags {
	f := &channelFlags{db: dbFlag(fs, e), config: settings{}}
	f.kind = fs.String("kind", "", "the channel's kind: "+strings.Join(kindNames(), ", ")+" (add)")
	f.name = fs.String("name", "", "a name for people (default the id)")
	f.audiences = fs.String("audience", "", "who it speaks to, comma-separated: customers, public, staff")
	f.rate = fs.Int("rate", -1, "messages per minute at most (0: the kind's default)")
	f.secretFile = fs.String("secret-file", "", "read the secret from this file (- for standard input)")
	fs.Var(f.config, "config", "a setting of the kind, KEY=VALUE (repeatable)")
	f.unset = fs.String("unset", "", "settings to remove, comma-separated (set)")
	f.disabled = fs.Bool("disabled", false, "add the channel disabled (add)")
	f.enable = fs.Bool("enable", false, "enable the channel (set)")
	f.disable = fs.Bool("disable", false, "disable the channel: its messages wait (set)")
	return f
}

func runChannelSave(ctx context.Context, e *env, sub string, args []string) error {
	fs := newFlags(e, "channel "+sub, "ID [flags] [--db DSN]", "Add or change a notification channel")
	f := newChannelFlags(fs, e)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: want one channel id", errUsage)
	}
	secret, err := readChannelSecret(e, *f.secretFile, sub == "add")
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, app.Config{DB: *f.db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	st := notifyStore(a)
	ch := notify.Channel{ID: rest[0], Kind: notify.Kind(*f.kind), Enabled: !*f.disabled, Config: map[string]string{}}
	if sub == "set" {
		if ch, err = st.Channel(ctx, rest[0]); err != nil {
			return err
		}
		if *f.kind != "" && notify.Kind(*f.kind) != ch.Kind {
			return fmt.Errorf("%w: a channel's kind cannot change: remove it and add another", errUsage)
		}
	}
	if err := f.apply(&ch, secret); err != nil {
		return err
	}
	if sub == "add" {
		err = st.AddChannel(ctx, &ch)
	} else {
		err = st.UpdateChannel(ctx, &ch)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "channel %s %s (%s, secret %s)\n", ch.ID, map[string]string{"add": "added", "set": "changed"}[sub],
		ch.Kind, setOrNot(ch.SecretSet))
	return nil
}

// apply changes ch as the flags say.
func (f *channelFlags) apply(ch *notify.Channel, secret string) error {
	if *f.name != "" {
		ch.Name = *f.name
	}
	if *f.audiences != "" {
		ch.Audiences = nil
		for a := range strings.SplitSeq(*f.audiences, ",") {
			ch.Audiences = append(ch.Audiences, notify.Audience(strings.TrimSpace(a)))
		}
	}
	if *f.rate >= 0 {
		ch.RatePerMinute = *f.rate
	}
	for k, v := range f.config {
		ch.Config[k] = v
	}
	for k := range strings.SplitSeq(*f.unset, ",") {
		delete(ch.Config, strings.TrimSpace(k))
	}
	if *f.enable && *f.disable {
		return fmt.Errorf("%w: --enable or --disable, not both", errUsage)
	}
	if *f.enable || *f.disable {
		ch.Enabled = *f.enable
	}
	ch.Secret = secret
	return nil
}

// readChannelSecret reads a secret from file ("-": standard input) or,
// when fromStdin, from standard input when it is not a terminal. The
// secret never comes from a flag's value, which shells keep in their
// history.
func readChannelSecret(e *env, file string, fromStdin bool) (string, error) {
	switch {
	case file == "-":
		return readPassword(e.stdin)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read the secret: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	case fromStdin:
		return readPassword(e.stdin)
	}
	return "", nil
}

func setOrNot(set bool) string {
	if set {
		return "set"
	}
	return "not set"
}

// notifyStore returns the store of channels and messages of a.
func notifyStore(a *app.App) *notify.Store { return a.Notify }

// channelTester returns what sends a test message through a's senders,
// or nil when this build has none wired.
func channelTester(a *app.App) func(ctx context.Context, channelID string, to notify.Recipient) error {
	return a.SendTest
}

func runChannelOther(ctx context.Context, e *env, sub string, args []string) error {
	synopsis := "ID [--db DSN]"
	switch sub {
	case "list":
		synopsis = "[--db DSN]"
	case "test":
		synopsis = "ID [--to ADDRESS|CUSTOMER] [--db DSN]"
	}
	fs := newFlags(e, "channel "+sub, synopsis, "Manage notification channels")
	db := dbFlag(fs, e)
	to := fs.String("to", "", "who the test message goes to: an e-mail address or a customer id (test)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if want := map[bool]int{true: 0, false: 1}[sub == "list"]; len(rest) != want {
		return fmt.Errorf("%w: %s takes %d channel id", errUsage, sub, want)
	}
	if *to != "" && sub != "test" {
		return fmt.Errorf("%w: --to is only for test", errUsage)
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	st := notifyStore(a)
	switch sub {
	case "list":
		return printChannels(ctx, e, st)
	case "show":
		ch, err := st.Channel(ctx, rest[0])
		if err != nil {
			return err
		}
		printChannel(e, &ch)
		return nil
	case "remove":
		if err := st.DeleteChannel(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "channel %s removed\n", rest[0])
		return nil
	}
	ch, err := st.Channel(ctx, rest[0])
	if err != nil {
		return err
	}
	send := channelTester(a)
	if send == nil {
		return errors.New("this build cannot send test messages; use POST /api/v1/channels/" + ch.ID + "/test on the server")
	}
	if err := send(ctx, ch.ID, notify.TestRecipient(ch.ID, *to)); err != nil {
		return fmt.Errorf("test message on %s: %w", ch.ID, err)
	}
	fmt.Fprintf(e.stdout, "test message sent on %s\n", ch.ID)
	return nil
}

func printChannels(ctx context.Context, e *env, st *notify.Store) error {
	list, err := st.Channels(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNAME\tAUDIENCES\tSTATE\tRATE/MIN\tSECRET")
	for _, ch := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", ch.ID, ch.Kind, ch.Name, audienceList(ch.Audiences),
			enabledWord(ch.Enabled), notify.RateOf(&ch), setOrNot(ch.SecretSet))
	}
	return tw.Flush()
}

func printChannel(e *env, ch *notify.Channel) {
	fmt.Fprintf(e.stdout, "id:         %s\nkind:       %s\nname:       %s\naudiences:  %s\nstate:      %s\n",
		ch.ID, ch.Kind, ch.Name, audienceList(ch.Audiences), enabledWord(ch.Enabled))
	rate := fmt.Sprint(notify.RateOf(ch), " a minute")
	if ch.RatePerMinute == 0 {
		rate += " (the kind's default)"
	}
	fmt.Fprintf(e.stdout, "rate:       %s\nsecret:     %s\n", rate, setOrNot(ch.SecretSet))
	keys := make([]string, 0, len(ch.Config))
	for k := range ch.Config {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(e.stdout, "config:     %s=%s\n", k, ch.Config[k])
	}
	fmt.Fprintf(e.stdout, "created:    %s\nupdated:    %s\n", ch.CreatedAt.Format(time.RFC3339), ch.UpdatedAt.Format(time.RFC3339))
}

func audienceList(as []notify.Audience) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return strings.Join(out, ",")
}

func enabledWord(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}

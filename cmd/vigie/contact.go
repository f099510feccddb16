package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/account"
	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
)

// contactUsage is the one-line synopsis of vigie contact.
const contactUsage = "vigie contact add|list|invite|remove --customer C [--email E]"

func runContact(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add", "list", "invite", "remove":
		return runContactSub(ctx, e, sub, args)
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "Usage: "+contactUsage+" [--db DSN]")
		fmt.Fprintln(e.stdout, "\nadd     add a contact of a customer and mail them an invitation (good for 7 days)")
		fmt.Fprintln(e.stdout, "        to choose a password; needs --public-url, the server's address")
		fmt.Fprintln(e.stdout, "list    show a customer's contacts: invited, active, disabled")
		fmt.Fprintln(e.stdout, "invite  mail a contact a new invitation; their older one stops working")
		fmt.Fprintln(e.stdout, "remove  delete a contact; their sessions and links end at once")
		fmt.Fprintln(e.stdout, "\nContacts sign in to the customer area with their e-mail address. Mails go")
		fmt.Fprintln(e.stdout, "through the e-mail channel of the customers' audience (vigie channel add).")
		return nil
	case "":
		return fmt.Errorf("%w: want '%s'", errUsage, contactUsage)
	default:
		return fmt.Errorf("%w: unknown subcommand %q: want '%s'", errUsage, sub, contactUsage)
	}
}

// contactFlags are the flags of the contact subcommands.
type contactFlags struct {
	db, customer, email, name, lang, zone, publicURL, publicName *string
}

func newContactFlags(fs *flag.FlagSet, e *env) contactFlags {
	return contactFlags{
		db:         dbFlag(fs, e),
		customer:   fs.String("customer", "", "the customer's id"),
		email:      fs.String("email", "", "the contact's e-mail address, their login"),
		name:       fs.String("name", "", "the contact's name, for the mails (add)"),
		lang:       fs.String("lang", "", "fr or en (add; default the customer's language)"),
		zone:       fs.String("timezone", "", "the contact's IANA time zone (add; default the customer's)"),
		publicURL:  fs.String("public-url", "", "the server's public address, as given to vigie serve: the invitation links there (add, invite)"),
		publicName: fs.String("public-name", "Vigie", "the host's name in the mails (add, invite)"),
	}
}

// check validates the flags a subcommand needs and refuses the others.
func (f contactFlags) check(sub string) error {
	if *f.customer == "" {
		return fmt.Errorf("%w: --customer is required", errUsage)
	}
	if sub == "list" && *f.email != "" {
		return fmt.Errorf("%w: list takes no --email", errUsage)
	}
	if sub != "list" && *f.email == "" {
		return fmt.Errorf("%w: --email is required", errUsage)
	}
	if sub != "add" && (*f.name != "" || *f.lang != "" || *f.zone != "") {
		return fmt.Errorf("%w: --name, --lang and --timezone are only for add", errUsage)
	}
	if *f.lang != "" && *f.lang != "fr" && *f.lang != "en" {
		return fmt.Errorf("%w: --lang: want fr or en, got %q", errUsage, *f.lang)
	}
	if sub == "add" || sub == "invite" {
		u, err := url.Parse(*f.publicURL)
		if *f.publicURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: --public-url: want the server's public address, such as https://status.example.org: the invitation links there", errUsage)
		}
	}
	return nil
}

func runContactSub(ctx context.Context, e *env, sub string, args []string) error {
	synopsis := map[string]string{
		"add":    "--customer C --email E [--name N] [--lang fr|en] --public-url URL [--db DSN]",
		"list":   "--customer C [--db DSN]",
		"invite": "--customer C --email E --public-url URL [--db DSN]",
		"remove": "--customer C --email E [--db DSN]",
	}[sub]
	fs := newFlags(e, "contact "+sub, synopsis, "Manage the contacts of customers, who sign in to the customer area")
	f := newContactFlags(fs, e)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if err := f.check(sub); err != nil {
		return err
	}
	a, err := app.Open(ctx, app.Config{DB: *f.db, Logger: quietLogger(e), PublicURL: *f.publicURL, PublicName: *f.publicName})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	if sub == "list" {
		return listContacts(ctx, e, a, *f.customer)
	}
	err = changeContact(ctx, e, a, sub, f)
	detail := "from the command line"
	if err != nil {
		detail += ": " + err.Error()
	}
	target := "contact " + strings.ToLower(strings.TrimSpace(*f.email)) + " of " + *f.customer
	if aerr := a.Audit.Record(ctx, auth.AuditEntry{Actor: "cli", Action: "vigie contact " + sub, Target: target,
		OK: err == nil, Detail: detail}); aerr != nil && err == nil {
		return aerr
	}
	return err
}

// changeContact adds, invites again or removes a contact.
func changeContact(ctx context.Context, e *env, a *app.App, sub string, f contactFlags) error {
	if sub == "add" {
		c, err := a.Accounts.Invite(ctx, auth.Contact{Customer: *f.customer, Email: *f.email,
			Name: *f.name, Lang: *f.lang, Zone: *f.zone})
		if err != nil {
			return noChannelHint(err)
		}
		fmt.Fprintf(e.stdout, "added contact %s of %s; invitation queued (good for 7 days)\n", c.Email, c.Customer)
		return nil
	}
	c, err := a.Auth.ContactByEmail(ctx, *f.email)
	if err == nil && c.Customer != *f.customer {
		err = fmt.Errorf("%s is a contact of %s, not of %s", c.Email, c.Customer, *f.customer)
	}
	if err != nil {
		return err
	}
	switch sub {
	case "invite":
		if err := a.Accounts.Send(ctx, c, auth.LinkInvite); err != nil {
			return noChannelHint(err)
		}
		fmt.Fprintf(e.stdout, "invitation queued for %s (good for 7 days; the older one no longer works)\n", c.Email)
	case "remove":
		if err := a.Auth.RemoveContact(ctx, c.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed contact %s of %s; their sessions are ended\n", c.Email, c.Customer)
	}
	return nil
}

// noChannelHint adds what to do when no e-mail channel serves customers.
func noChannelHint(err error) error {
	if errors.Is(err, account.ErrNoMailChannel) {
		return fmt.Errorf("the invitation cannot be mailed, nothing was changed: %s", account.NoMailChannelHelp)
	}
	return err
}

// listContacts prints a customer's contacts as a table.
func listContacts(ctx context.Context, e *env, a *app.App, customer string) error {
	if _, err := a.Inventory.Customer(ctx, customer); err != nil {
		return err
	}
	contacts, err := a.Auth.Contacts(ctx, customer)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tLANG\tSTATUS\tSINCE")
	for _, c := range contacts {
		status, since := "added", c.CreatedAt
		switch {
		case c.Disabled:
			status = "disabled"
		case c.ActivatedAt != nil:
			status, since = "active", *c.ActivatedAt
		case c.InvitedAt != nil:
			status, since = "invited", *c.InvitedAt
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Email, c.Name, c.Lang, status, since.Format(time.RFC3339))
	}
	return tw.Flush()
}

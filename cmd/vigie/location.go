package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/probe"
)

var locationCommand = machineCommand{
	name: "location", target: "NAME", drop: "revoke",
	summary: "Manage remote probe locations and their tokens",
	help: "add prints the token of a new remote probe location once; rotate replaces it;\n" +
		"revoke stops it from authenticating; list shows every location, then the probe\n" +
		"processes (members) of each, alive or not, with the checks each runs now.",
	check: probe.CheckLocationName,
	open: func(a *app.App) machineTokens {
		return machineTokens{add: a.Locations.Add, rotate: a.Locations.Rotate, drop: a.Locations.Revoke,
			list: func(ctx context.Context, e *env) error { return printLocations(ctx, e, a) }}
	},
	shown: func(name string) string {
		return fmt.Sprintf("token of location %q; it is shown once: keep it now for 'vigie probe --location %s --token ...'", name, name)
	},
	dropped: func(name string) string {
		return fmt.Sprintf("location %q revoked: its probe can no longer authenticate", name)
	},
}

func runLocation(ctx context.Context, e *env, args []string) error {
	return locationCommand.run(ctx, e, args)
}

func printLocations(ctx context.Context, e *env, a *app.App) error {
	ls, err := a.Locations.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED\tLAST SEEN\tREFUSED\tSTATE")
	for _, l := range ls {
		seen, state := lastTime(l.LastSeenAt), "active"
		if l.Revoked() {
			state = "revoked " + l.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", l.Name, l.CreatedAt.Format(time.RFC3339), seen, l.RefusedResults, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printMembers(ctx, e, a, ls)
}

// printMembers lists the probe processes of the active locations and the
// share of the checks each runs, when there are any.
func printMembers(ctx context.Context, e *env, a *app.App, ls []probe.Location) error {
	var names []string
	for _, l := range ls {
		if !l.Revoked() {
			names = append(names, l.Name)
		}
	}
	shares, err := probe.MemberShares(ctx, a.Inventory, a.Members, names)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	header := false
	for _, name := range names {
		for _, m := range shares[name] {
			if !header {
				fmt.Fprintln(tw, "\nLOCATION\tMEMBER\tID\tSTATE\tLAST SEEN\tCHECKS\tSHARE")
				header = true
			}
			state := "alive"
			if !m.Alive {
				state = "gone"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%.1f%%\n", name, m.Name, m.ID, state, lastTime(m.LastSeen), m.Checks, 100*m.Share)
		}
	}
	return tw.Flush()
}

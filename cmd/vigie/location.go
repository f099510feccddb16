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
		"revoke stops it from authenticating; list shows every location.",
	check: probe.CheckLocationName,
	open: func(a *app.App) machineTokens {
		return machineTokens{add: a.Locations.Add, rotate: a.Locations.Rotate, drop: a.Locations.Revoke,
			list: func(ctx context.Context, e *env) error { return printLocations(ctx, e, a.Locations) }}
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

func printLocations(ctx context.Context, e *env, locations *probe.LocationStore) error {
	ls, err := locations.List(ctx)
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
	return tw.Flush()
}

package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/probe"
)

const agentArgs = "add|list|rotate|remove [ASSET] [--db DSN]"

func runAgent(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add", "list", "rotate", "remove":
	case "-h", "--help":
		fmt.Fprintln(e.stdout, "Usage: vigie agent "+agentArgs)
		fmt.Fprintln(e.stdout, "\nadd prints the token of a new host agent once, bound to an inventory asset: it")
		fmt.Fprintln(e.stdout, "reports that host's facts and no other's; rotate replaces the token; remove")
		fmt.Fprintln(e.stdout, "stops it from authenticating; list shows every agent.")
		return nil
	default:
		return fmt.Errorf("%w: want 'vigie agent %s'", errUsage, agentArgs)
	}
	fs := newFlags(e, "agent "+sub, "[ASSET] [--db DSN]", "Manage host agents and their tokens")
	db := dbFlag(fs, e)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	var asset string
	if sub == "list" {
		if err := noArgs(rest); err != nil {
			return err
		}
	} else {
		if len(rest) != 1 || rest[0] == "" {
			return fmt.Errorf("%w: want one ASSET", errUsage)
		}
		asset = rest[0]
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	agents := probe.NewAgentStore(a.DB)
	switch sub {
	case "add", "rotate":
		add := agents.Add
		if sub == "rotate" {
			add = agents.Rotate
		}
		token, err := add(ctx, asset)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, token)
		fmt.Fprintf(e.stderr, "token of the agent of %q; it is shown once: keep it now for 'vigie probe --host-agent --token ...'\n", asset)
	case "remove":
		if err := agents.Remove(ctx, asset); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "agent of %q removed: it can no longer authenticate\n", asset)
	case "list":
		return printAgents(ctx, e, agents)
	}
	return nil
}

func printAgents(ctx context.Context, e *env, agents *probe.AgentStore) error {
	list, err := agents.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ASSET\tCREATED\tLAST SEEN")
	for _, ag := range list {
		seen := "never"
		if ag.LastSeenAt != nil {
			seen = ag.LastSeenAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", ag.Asset, ag.CreatedAt.Format(time.RFC3339), seen)
	}
	return tw.Flush()
}

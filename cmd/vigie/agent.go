package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/probe"
)

var agentCommand = machineCommand{
	name: "agent", target: "ASSET", drop: "remove",
	summary: "Manage host agents and their tokens",
	help: "add prints the token of a new host agent once, bound to an inventory asset: it\n" +
		"reports that host's facts and no other's; rotate replaces the token; remove\n" +
		"stops it from authenticating; list shows every agent.",
	open: func(a *app.App) machineTokens {
		return machineTokens{add: a.Agents.Add, rotate: a.Agents.Rotate, drop: a.Agents.Remove,
			list: func(ctx context.Context, e *env) error { return printAgents(ctx, e, a.Agents) }}
	},
	shown: func(asset string) string {
		return fmt.Sprintf("token of the agent of %q; it is shown once: keep it now for 'vigie probe --host-agent --token ...'", asset)
	},
	dropped: func(asset string) string {
		return fmt.Sprintf("agent of %q removed: it can no longer authenticate", asset)
	},
}

func runAgent(ctx context.Context, e *env, args []string) error {
	return agentCommand.run(ctx, e, args)
}

func printAgents(ctx context.Context, e *env, agents *probe.AgentStore) error {
	list, err := agents.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ASSET\tCREATED\tLAST SEEN")
	for _, ag := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", ag.Asset, ag.CreatedAt.Format(time.RFC3339), lastTime(ag.LastSeenAt))
	}
	return tw.Flush()
}

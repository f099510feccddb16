package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/vigie/vigie/internal/probe"
)

func runProbe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "probe", "--server URL --token T --location NAME [--buffer DIR] | --host-agent --server URL --token vagt_...",
		"Run a remote probe: pull this location's checks from the server, run them, and push the results;\n"+
			"results wait on disk while the server is unreachable and are replayed in order")
	server := fs.String("server", "", "base URL of the Vigie server, e.g. https://status.example.org")
	token := fs.String("token", "", "the location's token (env VIGIE_PROBE_TOKEN), from 'vigie location add';\n"+
		"with --host-agent the agent's (env VIGIE_AGENT_TOKEN), from 'vigie agent add ASSET'")
	location := fs.String("location", "", "this location's name, as added on the server")
	buffer := fs.String("buffer", "", "directory of the result buffer (default vigie-probe-LOCATION); its id names this\n"+
		"process among the location's probe processes, which share its checks: give each its own")
	member := fs.String("member", "", "this process's name among the location's probe processes (default HOST-PID)")
	heartbeat := fs.Duration("heartbeat", probe.DefaultMemberHeartbeat, "how often this process calls the server at least;\n"+
		"silent for three heartbeats, its checks go to the location's other probe processes")
	hostAgent := fs.Bool("host-agent", false, "report this host's facts (CPU governor, memory, disks, …) instead of running checks")
	asset := fs.String("asset", "", "with --host-agent: this host's asset name, checked against the token's (optional)")
	root := fs.String("root", "/", "with --host-agent: where /sys and /proc are read")
	every := fs.Duration("every", time.Minute, "with --host-agent: how often facts are reported")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if *token == "" {
		*token = e.getenv("VIGIE_PROBE_TOKEN")
		if *hostAgent {
			*token = e.getenv("VIGIE_AGENT_TOKEN")
		}
	}
	if *hostAgent {
		if *server == "" || *token == "" {
			return fmt.Errorf("%w: --host-agent needs --server and --token (the agent's, from 'vigie agent add ASSET')", errUsage)
		}
	} else if *server == "" || *token == "" || *location == "" {
		return fmt.Errorf("%w: --server, --token and --location are required", errUsage)
	}
	if u, err := url.Parse(*server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: --server: want an http or https URL, got %q", errUsage, *server)
	}
	if *hostAgent {
		log := logger(e)
		if *asset != "" {
			log = log.With("asset", *asset)
		}
		log.Info("host agent started", "server", *server, "every", *every)
		return probe.RunHostAgent(ctx, probe.AgentOptions{Server: *server, Token: *token, Asset: *asset,
			Root: *root, Every: *every, Logger: log})
	}
	if err := probe.CheckLocationName(*location); err != nil {
		return fmt.Errorf("%w: --location: %w", errUsage, err)
	}
	if *member != "" {
		if err := probe.CheckMemberName(*member); err != nil {
			return fmt.Errorf("%w: --member: %w", errUsage, err)
		}
	}
	if *heartbeat < probe.MinMemberHeartbeat || *heartbeat > probe.MaxMemberHeartbeat {
		return fmt.Errorf("%w: --heartbeat: want %s to %s, got %s", errUsage, probe.MinMemberHeartbeat, probe.MaxMemberHeartbeat, *heartbeat)
	}
	if *buffer == "" {
		*buffer = "vigie-probe-" + *location
	}
	log := logger(e).With("location", *location)
	r, err := probe.NewRemote(probe.RemoteOptions{Server: *server, Token: *token, BufferDir: *buffer, Logger: log,
		Member: *member, Heartbeat: *heartbeat})
	if err != nil {
		return err
	}
	log.Info("remote probe started", "server", *server, "buffer", *buffer, "member", r.Member().Name, "member_id", r.Member().ID)
	return r.Run(ctx)
}

package notify

import (
	"context"
	"fmt"
	"time"
)

// SendTest sends a test message on a channel at once, outside the outbox:
// staff checking a new channel want the answer now, not a retry later. A
// customer recipient is looked up by lookup (nil: taken as it is).
func (s *Store) SendTest(ctx context.Context, senders map[Kind]Sender, render func(*Message) (Rendered, error), host, channelID string,
	to Recipient, lookup func(ctx context.Context, id string) (Recipient, error)) error {
	ch, err := s.channelWithSecret(ctx, channelID)
	if err != nil {
		return err
	}
	snd, ok := senders[ch.Kind]
	if !ok {
		return fmt.Errorf("test message on %s: no sender for kind %s", ch.ID, ch.Kind)
	}
	if to.Kind == "customer" && lookup != nil {
		if to, err = lookup(ctx, to.ID); err != nil {
			return err
		}
	}
	if to.Kind == "channel" {
		to = channelRecipient(ch)
	}
	if to.Lang == "" {
		to.Lang = "fr"
	}
	if to.Zone == "" {
		to.Zone = "Europe/Paris"
	}
	now := s.Now().UTC()
	topic := TopicIncident
	m := &Message{Key: fmt.Sprintf("test/%s/%d", ch.ID, now.UnixNano()), Channel: ch.ID, Recipient: to, Topic: topic,
		Thread: "test/" + ch.ID, Items: []Item{{Topic: topic, Event: "update", At: now,
			Title: Text{FR: "Message de test", EN: "Test message"},
			Body: Text{FR: "Ceci est un message de test de Vigie : ce canal fonctionne.",
				EN: "This is a test message from Vigie: this channel works."}}}, CreatedAt: now}
	out, err := render(m)
	if err != nil {
		return fmt.Errorf("test message on %s: %w", ch.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := snd.Send(ctx, &ch, &Outgoing{Message: m, Rendered: out, Thread: Thread{Key: m.Thread}, Host: host}); err != nil {
		return fmt.Errorf("test message on %s: %w", ch.ID, err)
	}
	return nil
}

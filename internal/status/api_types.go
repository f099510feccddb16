package status

// The documents of Atlassian Statuspage's public API v2, field for field:
// clients written for Statuspage read Vigie's as they are. Nullable fields
// are pointers; the field order is Statuspage's.

// apiPage is the page object every document starts with.
type apiPage struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt string `json:"updated_at"`
}

// apiStatus is the page-wide status rollup.
type apiStatus struct {
	Indicator   Indicator `json:"indicator"`
	Description string    `json:"description"`
}

// apiComponent is a component, or a group of components with Group set
// and the ids of its components.
type apiComponent struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	Status             ComponentStatus `json:"status"`
	CreatedAt          string          `json:"created_at"`
	UpdatedAt          string          `json:"updated_at"`
	Position           int             `json:"position"`
	Description        *string         `json:"description"`
	Showcase           bool            `json:"showcase"`
	StartDate          *string         `json:"start_date"`
	GroupID            *string         `json:"group_id"`
	PageID             string          `json:"page_id"`
	Group              bool            `json:"group"`
	OnlyShowIfDegraded bool            `json:"only_show_if_degraded"`
	Components         []string        `json:"components,omitempty"`
}

// apiIncident is an incident, and the common part of a scheduled
// maintenance.
type apiIncident struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Status          string         `json:"status"`
	CreatedAt       string         `json:"created_at"`
	UpdatedAt       string         `json:"updated_at"`
	MonitoringAt    *string        `json:"monitoring_at"`
	ResolvedAt      *string        `json:"resolved_at"`
	Impact          Indicator      `json:"impact"`
	Shortlink       string         `json:"shortlink"`
	StartedAt       string         `json:"started_at"`
	PageID          string         `json:"page_id"`
	IncidentUpdates []apiUpdate    `json:"incident_updates"`
	Components      []apiComponent `json:"components"`
}

// apiMaintenance is a scheduled maintenance: an incident with its window.
type apiMaintenance struct {
	apiIncident
	ScheduledFor   string `json:"scheduled_for"`
	ScheduledUntil string `json:"scheduled_until"`
}

// apiUpdate is one entry of an incident's timeline.
type apiUpdate struct {
	ID                   string        `json:"id"`
	Status               string        `json:"status"`
	Body                 string        `json:"body"`
	IncidentID           string        `json:"incident_id"`
	CreatedAt            string        `json:"created_at"`
	UpdatedAt            string        `json:"updated_at"`
	DisplayAt            string        `json:"display_at"`
	AffectedComponents   []apiAffected `json:"affected_components"`
	DeliverNotifications bool          `json:"deliver_notifications"`
	CustomTweet          *string       `json:"custom_tweet"`
	TweetID              *string       `json:"tweet_id"`
}

// apiAffected is a component's change of status told by an update.
type apiAffected struct {
	Code      string          `json:"code"`
	Name      string          `json:"name"`
	OldStatus ComponentStatus `json:"old_status"`
	NewStatus ComponentStatus `json:"new_status"`
}

// The documents, by the keys Statuspage gives them.
type (
	apiSummary struct {
		Page                  apiPage          `json:"page"`
		Components            []apiComponent   `json:"components"`
		Incidents             []apiIncident    `json:"incidents"`
		ScheduledMaintenances []apiMaintenance `json:"scheduled_maintenances"`
		Status                apiStatus        `json:"status"`
	}
	apiStatusDoc struct {
		Page   apiPage   `json:"page"`
		Status apiStatus `json:"status"`
	}
	apiComponentsDoc struct {
		Page       apiPage        `json:"page"`
		Components []apiComponent `json:"components"`
	}
	apiIncidentsDoc struct {
		Page      apiPage       `json:"page"`
		Incidents []apiIncident `json:"incidents"`
	}
	apiMaintenancesDoc struct {
		Page                  apiPage          `json:"page"`
		ScheduledMaintenances []apiMaintenance `json:"scheduled_maintenances"`
	}
)

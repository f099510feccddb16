-- +goose Up
-- The states of one state (every check down, say) a page at a time, in the
-- order of the table's key, without reading the states of the others.
CREATE INDEX check_states_state ON check_states (state, check_key, location);

-- +goose Down
DROP INDEX check_states_state;

"""The person register: approved trips and passport returns of each person, across cases
(FAO-DOMAIN §2.3, §3). `register` writes and reads it; `checks` turns it into the inputs of the
DMN table trip_person_limits and the history shown to reviewers."""

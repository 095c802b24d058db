"""Generic statistics, parameterised by column names: nothing here knows about programmes."""

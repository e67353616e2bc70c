"""Countries and regions: their names in Chinese and English, their continents (CLDR data Babel
ships), and the country and nationality choices the forms offer."""

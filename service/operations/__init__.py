"""Running Bylos for decades: backup, restore, upgrades, metrics, health and logs (issue 15)."""

"""Campaign plans for mobile ID-card teams (tổ lưu động) of district police in Vietnam."""
